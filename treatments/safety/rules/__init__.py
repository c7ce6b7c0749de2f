"""The rules of DOMAIN §10, one module per family; `treatments.safety.registry` lists them
in the order they run."""
