"""Demo data for development: accounts (accounts.py) and a set of requests (requests.py)."""
