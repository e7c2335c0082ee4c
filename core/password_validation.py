"""Django's password validators with plain German messages and help texts (AUTH_PASSWORD_VALIDATORS).

Django's own German translations read oddly ("Das Passwort ist zu ähnlich zu E-Mail-Adresse."). The rules stay
Django's; only the wording changes. Messages avoid "%" except as placeholders: ValidationError formats them with
``params``.
"""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLength(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"Das Passwort ist zu kurz. Bitte verwenden Sie mindestens {self.min_length} Zeichen."

    def get_help_text(self) -> str:
        return f"Mindestens {self.min_length} Zeichen."


class UserAttributeSimilarity(password_validation.UserAttributeSimilarityValidator):
    """Compare with the e-mail address and the names our User model has (Django looks for first/last name)."""

    DEFAULT_USER_ATTRIBUTES = ("email", "full_name", "display_name")

    def __init__(
        self, user_attributes: tuple[str, ...] = DEFAULT_USER_ATTRIBUTES, max_similarity: float = 0.7
    ) -> None:
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        return (
            "Das Passwort ähnelt zu sehr Ihren persönlichen Angaben (%(verbose_name)s). Bitte wählen Sie ein anderes."
        )

    def get_help_text(self) -> str:
        return "Nicht ähnlich zu Ihrer E-Mail-Adresse oder Ihrem Namen."


class CommonPassword(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "Dieses Passwort wird sehr häufig benutzt und ist leicht zu erraten. Bitte wählen Sie ein anderes."

    def get_help_text(self) -> str:
        return "Kein häufig benutztes Passwort."


class NumericPassword(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "Das Passwort besteht nur aus Ziffern. Bitte verwenden Sie auch Buchstaben oder Sonderzeichen."

    def get_help_text(self) -> str:
        return "Nicht nur Ziffern."
