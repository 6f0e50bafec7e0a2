"""SLT Hub: the web application, its API, pages, command line and storage (docs/hub.md)."""
