"""The dvc-zalo CDK stack, split by concern: tables, the Chalice app's functions, policies, alarms."""
