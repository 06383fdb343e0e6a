"""Outreach: segments of customers in plain words, and what is built on them."""
