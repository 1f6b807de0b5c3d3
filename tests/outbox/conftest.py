from tests.disputes.conftest import _media, analyst, nbp_server, staff  # noqa: F401 (fixtures)
from tests.disputes.test_no_nbp_call_in_requests import nbp, stolen  # noqa: F401 (fixtures)
from tests.reports.conftest import _export_dir, _export_files_removed  # noqa: F401 (fixtures)
