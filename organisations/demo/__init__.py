"""Synthetic demo data for two authorities (``manage.py make_demo_data``).

No real person's data: names come from built-in invented lists, ids are generated, and
only the postcode centroids (public ONS reference data) are real.
"""
