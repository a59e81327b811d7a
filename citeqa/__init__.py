"""citeqa: the command line that ties ingest, store, app and eval together."""
