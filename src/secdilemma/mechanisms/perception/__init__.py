"""Observe and interpret: what each state sees of others' acts, and how its lens reads them."""
