from tests.store.support import store, store_url  # noqa: F401  (fixtures)
