// Preisbremsen-Rechner (tariffs/views.py): marks the fields the server found wrong and shows the business fields.
//
// htmx swaps only the result area (#relief-result), never the inputs, so nothing typed meanwhile is lost. Every
// response swaps #relief-field-state out of band: a <template data-relief-fields> with one entry per field,
// data-state "invalid" (its messages inside), "valid" (remove a mark) or "keep" (the visitor may still be typing:
// leave the field as it is). The marks are the ones crispy-forms renders on a full page: class is-invalid,
// aria-invalid, a div#id_<name>_error after the input.
(() => {
  const setDescribedBy = (input, errorId, withError) => {
    const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== errorId);
    if (withError) {
      ids.push(errorId);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  };

  const markField = (entry) => {
    const name = entry.dataset.field;
    const input = document.getElementById(`id_${name}`);
    if (!input || entry.dataset.state === "keep") {
      return;
    }
    const errorId = `id_${name}_error`;
    let feedback = document.getElementById(errorId);
    if (entry.dataset.state === "invalid") {
      if (!feedback) {
        feedback = document.createElement("div");
        feedback.id = errorId;
        feedback.className = "invalid-feedback";
        input.insertAdjacentElement("afterend", feedback);
      }
      feedback.replaceChildren(...Array.from(entry.childNodes, (node) => node.cloneNode(true)));
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      setDescribedBy(input, errorId, true);
    } else {
      feedback?.remove();
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      setDescribedBy(input, errorId, false);
    }
  };

  const markFields = () => {
    const template = document.querySelector("#relief-field-state template[data-relief-fields]");
    template?.content.querySelectorAll("[data-field]").forEach(markField);
  };

  // The business fields (net energy price, 2021 consumption) are asked for only when „Gewerbe“ is chosen.
  const showBusinessFields = () => {
    const group = document.getElementById("id_customer_group");
    const fieldset = document.getElementById("relief-business");
    if (group && fieldset) {
      fieldset.hidden = group.value !== "business";
    }
  };

  document.addEventListener("htmx:oobAfterSwap", markFields);  // also when the result area is left as it is
  document.addEventListener("change", (event) => {
    if (event.target.id === "id_customer_group") {
      showBusinessFields();
    }
  });
  showBusinessFields();
})();
