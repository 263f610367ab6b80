# Fake credentials for the SARIF import tests: they match gitleaks rules but
# grant nothing anywhere.
DEBUG = False
api_token = "q8Xv2LmZ7rT4wK9pN3bF6hJ1"
