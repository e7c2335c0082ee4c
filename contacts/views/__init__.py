"""Staff and customer screens of the contacts app, one module per area (agent, queue, customer, dashboard)."""
