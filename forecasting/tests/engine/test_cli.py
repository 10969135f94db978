import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecasting.engine.backtest import main

from .conftest import weekly_series

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def csv_file(tmp_path):
    series = weekly_series(days=140)
    path = tmp_path / "demand.csv"
    frame = pd.DataFrame(
        {"day": pd.DatetimeIndex(series.timestamps).strftime("%Y-%m-%d"), "calls": series.values}
    )
    frame.drop(index=[50, 51]).to_csv(path, index=False)  # two missing dates
    return path


def test_cli_prints_each_candidate_and_the_choice(csv_file, capsys):
    code = main(
        [
            str(csv_file),
            "--date-col",
            "day",
            "--value-col",
            "calls",
            "--origins",
            "3",
            "--horizon",
            "14",
            "--candidates",
            "seasonal_naive,ets",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "seasonal_naive" in out and "ets" in out
    assert "2 missing" in out
    assert "chosen:" in out


def test_cli_json_output(csv_file, capsys):
    code = main(
        [
            str(csv_file),
            "--date-col",
            "day",
            "--value-col",
            "calls",
            "--origins",
            "2",
            "--horizon",
            "7",
            "--candidates",
            "seasonal_naive,ets",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["chosen"] in report["candidates"]
    assert len(report["candidates"]["ets"]["mase_per_origin"]) == 2
    chosen = report["candidates"][report["chosen"]]["mase"]
    assert chosen <= report["candidates"]["seasonal_naive"]["mase"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("day,calls\n2024-01-01,1\n", ["--value-col", "visits"], "not found"),
        ("day,calls\n2024-01-01,1\n2024-01-02,lots\n", [], "non-numeric"),
        ("day,calls\nyesterday,1\n", [], "not dates"),
        ("day,calls\n2024-01-01,1\n2024-01-02,2\n", [], "too short"),
        ("", [], "not a readable CSV"),
    ],
)
def test_cli_bad_input_exits_non_zero_with_a_message(tmp_path, capsys, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    argv = [str(path), "--date-col", "day", "--value-col", "calls", "--candidates", "seasonal_naive", *args]
    if "--value-col" in args:
        argv = [str(path), "--date-col", "day", "--candidates", "seasonal_naive", *args]
    code = main(argv)
    assert code != 0
    assert message in capsys.readouterr().err


def test_cli_as_a_module_in_a_subprocess(tmp_path, csv_file):
    # the real command line: a good file exits 0, a missing file exits non-zero with a message on stderr
    good = subprocess.run(
        [
            sys.executable,
            "-m",
            "forecasting.engine.backtest",
            str(csv_file),
            "--date-col",
            "day",
            "--value-col",
            "calls",
            "--origins",
            "2",
            "--horizon",
            "7",
            "--candidates",
            "seasonal_naive,ets",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert "chosen:" in good.stdout
    assert "RuntimeWarning" not in good.stderr
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "forecasting.engine.backtest",
            str(tmp_path / "absent.csv"),
            "--date-col",
            "d",
            "--value-col",
            "v",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode != 0
    assert "no such file" in bad.stderr
