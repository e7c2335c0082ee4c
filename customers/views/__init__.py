"""Views of the customer portal, one module per area."""
