import pytest

from tests.delivery.receiver import Receiver
from tests.store.support import store, store_url  # noqa: F401  (fixtures)


@pytest.fixture
async def receiver():
    r = Receiver()
    await r.start()
    try:
        yield r
    finally:
        await r.stop()
