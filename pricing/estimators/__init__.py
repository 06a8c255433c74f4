"""Pure estimators: request Struct in, estimate Struct out, no I/O."""
