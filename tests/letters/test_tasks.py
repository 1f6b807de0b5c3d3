import hashlib
from dataclasses import replace
from datetime import date

import pytest

from demo.letter_samples import sample_snapshot
from letters.batch import letter_file_name
from letters.rules import DelayNoticeDateError, LetterType
from letters.tasks import render_batch_chunk

TYPE = LetterType.DECISION_PARTIALLY_ACCEPTED


def _snapshots(count: int) -> list[str]:
    return [
        sample_snapshot(TYPE, reference=f"KB/REK/2025/{number:06d}").to_json()
        for number in range(1, count + 1)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_chunk_renders_each_letter_to_its_own_file(celery_worker, tmp_path):
    result = render_batch_chunk.delay(
        letter_type=TYPE.value, snapshots=_snapshots(2), output_dir=str(tmp_path)
    )
    items = result.get(timeout=120)

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "KB_REK_2025_000001.pdf",
        "KB_REK_2025_000002.pdf",
    ]
    for item in items:
        data = (tmp_path / letter_file_name(item["reference"])).read_bytes()
        assert data.startswith(b"%PDF-1.7")
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert item["page_count"] == 2
        assert item["size"] == len(data)


@pytest.mark.django_db(transaction=True)
def test_running_a_chunk_again_rewrites_identical_files(celery_worker, tmp_path):
    snapshots = _snapshots(1)

    first = render_batch_chunk.delay(
        letter_type=TYPE.value, snapshots=snapshots, output_dir=str(tmp_path)
    ).get(timeout=120)
    second = render_batch_chunk.delay(
        letter_type=TYPE.value, snapshots=snapshots, output_dir=str(tmp_path)
    ).get(timeout=120)

    assert first == second
    assert [path.name for path in tmp_path.iterdir()] == ["KB_REK_2025_000001.pdf"]


@pytest.mark.django_db(transaction=True)
def test_a_chunk_stops_at_an_invalid_snapshot_and_writes_nothing_for_it(celery_worker, tmp_path):
    good = sample_snapshot(LetterType.DELAY_NOTICE, reference="KB/REK/2025/000001")
    late = replace(
        good, reference="KB/REK/2025/000002", delay=replace(good.delay, expected_reply_on=date(2025, 8, 1))
    )

    with pytest.raises(DelayNoticeDateError, match="later than the extended deadline"):
        render_batch_chunk.delay(
            letter_type=LetterType.DELAY_NOTICE.value,
            snapshots=[good.to_json(), late.to_json()],
            output_dir=str(tmp_path),
        ).get(timeout=120)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["KB_REK_2025_000001.pdf"]


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("KB/REK/2025/000006", "KB_REK_2025_000006.pdf"),
        ("../../etc/passwd", "etc_passwd.pdf"),
        ("a b:c", "a_b_c.pdf"),
    ],
)
def test_letter_file_names_stay_inside_the_directory(reference, name):
    assert letter_file_name(reference) == name
