from . import (
    test_bad_input,
    test_bus,
    test_concurrency,
    test_ingest,
    test_install,
    test_pairing,
    test_retention,
    test_security,
    test_signing,
    test_views,
)
