"""Pure pricing and relief rules (Decimal maths, no Django): prices, VAT, price brakes, Abschlag and bills.

Import the modules and call them module-qualified, e.g. ``relief.monthly_relief(...)``, ``billing.compute_bill(...)``.
"""
