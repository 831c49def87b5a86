"""The store: contract versions and the steering data keyed by the contract's stable ids."""
