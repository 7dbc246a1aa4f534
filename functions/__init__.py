"""dvc-zalo runtime code: handlers (main.py), domain modules and adapters (DynamoDB, Zalo)."""
