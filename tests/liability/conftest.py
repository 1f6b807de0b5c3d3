from urllib.parse import urlsplit

import pytest

from tests.conftest import NBP_TEST_SETTINGS
from tests.liability.nbp_server import REAL_EUR_RATES, NbpServer


@pytest.fixture
def nbp_server(nbp_api_url, settings):
    """The local NBP serving the real EUR rates of RULES.md, on the session's port; settings point to it."""
    server = NbpServer(port=urlsplit(nbp_api_url).port, rates=REAL_EUR_RATES).start()
    settings.NBP_API_URL = server.url
    for name, value in NBP_TEST_SETTINGS.items():
        setattr(settings, name, value)
    yield server
    server.stop()
