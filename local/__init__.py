"""Everything that runs dvc-zalo on one machine: the runner, the Zalo simulator, seed data."""
