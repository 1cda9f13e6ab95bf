from tests.store.support import store_url  # noqa: F401  (fixture)
