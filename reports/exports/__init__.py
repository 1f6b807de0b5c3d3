"""The auditors' exports: columns (one place), row sources, writers, and the services that run them."""
