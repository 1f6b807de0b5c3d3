import pytest

from tests.corebanking.simulator import CoreBankingSimulator
from tests.disputes.conftest import analyst, case, eur_rates, supervisor, theft, warsaw  # noqa: F401


@pytest.fixture(scope="session")
def core_simulator_process():
    simulator = CoreBankingSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def core_simulator(core_simulator_process, settings):
    """The simulator, emptied, with the gateway pointing at it and a short time-out."""
    core_simulator_process.control(reset=True, hang_seconds=2)
    settings.KARTOSFERA_CORE_BANKING_URL = core_simulator_process.url
    settings.KARTOSFERA_CORE_BANKING_TIMEOUT_SECONDS = 0.5
    return core_simulator_process
