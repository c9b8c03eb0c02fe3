"""``codescale import``: external scaling tables (CSV/parquet) become runs that every view and fit can select."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.importer import import_table, parse_count, parse_map

FIXTURES = Path(__file__).parent / "import_fixtures"
CHINCHILLA_MAP = "size=Model Size,tokens=Training Tokens,loss=loss,flops=Training FLOP"


def query(db, sql):
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("70M", 70_000_000),
        ("1.3B", 1_300_000_000),
        ("400k", 400_000),
        ("1.4T", 1_400_000_000_000),
        ("13,000,000", 13_000_000),
        ("1.76e+09", 1_760_000_000),
        ("124000000", 124_000_000),
        (" 2.8 b ", 2_800_000_000),
        (6.5e9, 6_500_000_000),
    ],
)
def test_sizes_and_token_counts_accept_the_usual_spellings(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["seventy", "", "-5M", "0", "1.3Q", float("nan")])
def test_a_count_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        parse_count(text)


def test_a_chinchilla_style_csv_lands_as_completed_import_runs(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert (
        main(
            [
                "import",
                str(FIXTURES / "chinchilla_style.csv"),
                "--map",
                CHINCHILLA_MAP,
                "--language",
                "python",
                "--db",
                str(db),
            ]
        )
        == 0
    )
    assert "imported 18 runs (18 final losses) into study 'chinchilla_style'" in capsys.readouterr().out
    assert query(db, "SELECT DISTINCT source, status, study FROM runs") == [("import", "completed", "chinchilla_style")]
    # first data row (CSV line 2): 44M,4.4e+08,1.162e+17,4.2746
    assert query(
        db,
        """SELECT run_id, params, tokens, flops, language, loss, language_tokens, proportion
                        FROM final_loss ORDER BY params, tokens LIMIT 1""",
    ) == [("chinchilla_style-00001", 44_000_000, 440_000_000, 1.162e17, "python", 4.2746, 440_000_000, 1.0)]
    [(kept,)] = query(db, "SELECT run_json FROM runs WHERE run_id = 'chinchilla_style-00001'")
    assert json.loads(kept)["Model Size"] == "44M" and json.loads(kept)["line"] == 2


def test_importing_into_a_study_again_replaces_its_runs(tmp_path):
    db = tmp_path / "s.duckdb"
    source = tmp_path / "results.csv"
    source.write_text("N,D,loss\n70M,1.4B,3.10\n160M,3.2B,2.90\n")
    import_table(db, source)
    source.write_text("N,D,loss\n70M,1.4B,3.05\n")  # corrected, and one row withdrawn
    report = import_table(db, source)
    assert report.replaced == 2
    assert query(db, "SELECT run_id, loss FROM final_loss") == [("results-00001", 3.05)]


def test_a_missing_column_lists_the_columns_there_are_and_the_map_syntax(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert main(["import", str(FIXTURES / "no_loss_column.csv"), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "no_loss_column.csv --map: missing loss (not mapped)" in err
    assert "the file has columns: 'params', 'tokens', 'final loss'" in err
    assert "--map size=COLUMN,tokens=COLUMN,loss=COLUMN" in err
    assert main(["import", str(FIXTURES / "no_loss_column.csv"), "--map", "loss=final loss", "--db", str(db)]) == 0


def test_nan_and_infinite_losses_are_skipped_with_a_count(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert main(["import", str(FIXTURES / "with_nonfinite.csv"), "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert "warning: " in captured.err and "3 rows with NaN or infinite loss skipped" in captured.err
    assert query(db, "SELECT params, loss FROM final_loss ORDER BY params") == [(70_000_000, 3.1), (160_000_000, 2.8)]


def test_bad_cells_are_all_reported_with_line_and_column_and_nothing_is_imported(tmp_path):
    db = tmp_path / "s.duckdb"
    with pytest.raises(CodescaleError) as err:
        import_table(db, FIXTURES / "bad_cells.csv")
    text = err.value.render()
    assert "bad_cells.csv:3 size ('Model Size'): expected a count" in text
    assert "bad_cells.csv:4 tokens ('Training Tokens'): expected a count" in text
    assert not db.exists() or query(db, "SELECT count(*) FROM runs") == [(0,)]


def test_a_parquet_table_with_mixtures_feeds_the_synergy_view(tmp_path):
    table = tmp_path / "bilingual.parquet"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('py2', 'python', 'python', NULL, '1.5B', '128B', 0.7528),
        ('java2', 'java', 'java', NULL, '1.5B', '128B', 0.9034),
        ('mix', 'python', 'python+java', '0.5+0.5', '1.5B', '128B', 0.7426),
        ('mix', 'java', 'python+java', '0.5+0.5', '1.5B', '128B', 0.8490))
        AS t(model, lang, trained_on, shares, size, data, loss)) TO '{table}' (FORMAT parquet)""")
    con.close()
    db = tmp_path / "s.duckdb"
    report = import_table(
        db,
        table,
        parse_map(
            ["size=size,tokens=data,loss=loss,language=lang", "languages=trained_on,proportions=shares,run=model"]
        ),
        study="table1",
    )
    assert (report.runs, report.evals) == (3, 4)
    rows = query(db, "SELECT target, aux, round(rel_gain, 4) FROM synergy_pairs ORDER BY target")
    assert rows == [("java", "python", 0.0602), ("python", "java", 0.0135)]


def test_a_failure_inside_the_import_transaction_keeps_the_earlier_import(tmp_path):
    db = tmp_path / "s.duckdb"
    first = tmp_path / "first.csv"
    first.write_text("N,D,loss\n70M,1.4B,3.10\n")
    import_table(db, first, study="lab")
    con = store.connect(db)
    store.insert_rows(con, "runs", [{"run_id": "lab-00002", "source": "simulate"}])  # occupies the next id
    con.close()
    second = tmp_path / "second.csv"
    second.write_text("N,D,loss\n70M,1.4B,3.00\n160M,3.2B,2.90\n")
    with pytest.raises(CodescaleError, match="run id 'lab-00002' already exists"):
        import_table(db, second, study="lab")  # deleted lab's earlier import, then hit the clash: rolled back
    assert query(db, "SELECT run_id, loss FROM final_loss") == [("lab-00001", 3.1)]


def test_an_unknown_map_field_or_an_unusable_domain_is_named(tmp_path):
    with pytest.raises(CodescaleError, match="unknown field 'params'"):
        parse_map(["params=N"])
    source = tmp_path / "langs.csv"
    source.write_text("N,D,loss,language\n70M,1.4B,3.1,???\n")
    with pytest.raises(CodescaleError, match=r"langs.csv:2 language \('language'\): '\?\?\?' is not a usable domain"):
        import_table(tmp_path / "s.duckdb", source)


def test_any_domain_name_is_accepted_and_languages_keep_their_aliases(tmp_path):
    source = tmp_path / "domains.csv"
    source.write_text("N,D,loss,language\n70M,1.4B,3.1,COBOL\n70M,1.4B,2.9,Pile-CC\n70M,1.4B,2.7,py\n")
    import_table(tmp_path / "s.duckdb", source)
    assert [r[0] for r in query(tmp_path / "s.duckdb", "SELECT language FROM final_loss ORDER BY loss")] == [
        "python",
        "pile-cc",
        "cobol",
    ]


def test_mixture_columns_become_proportions_and_per_domain_losses(tmp_path):
    source = tmp_path / "pile.csv"
    source.write_text("run,split,model_size,tokens,p:Pile-CC,p:Github,loss:Pile-CC,loss:Github,loss:ArXiv\n"
                      "a,train,70M,25B,0.6,0.4,2.91,1.52,2.40\n"
                      "b,test,70M,25B,0.25,0.75,3.10,1.31,\n")  # fmt: skip
    db = tmp_path / "s.duckdb"
    report = import_table(db, source, {"size": "model_size", "run": "run"}, proportions="p:*", losses="loss:*")
    assert (report.runs, report.evals) == (2, 5)
    assert query(db, "SELECT run_id, language, proportion FROM run_languages ORDER BY run_id, position") == [
        ("pile-a", "pile-cc", 0.6),
        ("pile-a", "github", 0.4),
        ("pile-b", "pile-cc", 0.25),
        ("pile-b", "github", 0.75),
    ]
    assert query(db, "SELECT language, loss FROM final_loss WHERE run_id = 'pile-a' ORDER BY language") == [
        ("arxiv", 2.40),
        ("github", 1.52),
        ("pile-cc", 2.91),
    ]  # evaluated domains differ from the training ones
    assert query(db, "SELECT run_id FROM runs WHERE run_json->>'split' = 'test'") == [("pile-b",)]


def test_regmix_style_columns_with_constants_for_size_and_tokens(tmp_path):
    source = tmp_path / "regmix.csv"
    source.write_text("index,train_the_pile_pile_cc,train_the_pile_arxiv,metric/the_pile_pile_cc_val_loss\n"
                      "0,0.123456789,0.876543211,5.43\n")  # fmt: skip
    db = tmp_path / "s.duckdb"
    main(["import", str(source), "--proportions", "train_the_pile_*", "--losses", "metric/the_pile_*_val_loss",
          "--set", "size=1M,tokens=1B", "--db", str(db)])  # fmt: skip
    assert query(db, "SELECT params, tokens, language, loss FROM final_loss") == [
        (1_000_000, 1_000_000_000, "pile_cc", 5.43)
    ]


def test_tokens_can_be_derived_from_flops(tmp_path):
    source = tmp_path / "flops.csv"
    source.write_text("N,C,loss\n70M,4.2e18,3.1\n")
    import_table(tmp_path / "s.duckdb", source, {"size": "N", "flops": "C"}, tokens_from_flops=True)
    assert query(tmp_path / "s.duckdb", "SELECT tokens, flops FROM runs") == [(10_000_000_000, 4.2e18)]


def test_proportions_that_do_not_sum_to_one_beyond_rounding_name_the_row(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("N,D,p:a,p:b,p:c,loss:a\n70M,1B,0.33,0.33,0.33,3.0\n70M,1B,0.50,0.40,0.00,3.0\n")
    with pytest.raises(CodescaleError, match=r"bad.csv:3 --proportions: proportions sum to 0.9, not 1"):
        import_table(tmp_path / "s.duckdb", source, proportions="p:*", losses="loss:*")
    # row 2 (0.99 from three cells printed to 2 decimals, ±0.015) is rounding, not an error
    source.write_text("N,D,p:a,p:b,p:c,loss:a\n70M,1B,0.33,0.33,0.33,3.0\n")
    import_table(tmp_path / "s.duckdb", source, proportions="p:*", losses="loss:*")
    assert query(tmp_path / "s.duckdb", "SELECT round(sum(proportion), 12) FROM run_languages") == [(1.0,)]


def test_unique_tokens_columns_feed_the_repetition_term(tmp_path):
    source = tmp_path / "rep.csv"
    source.write_text("N,D,p:go,p:java,u:go,loss:go\n1B,100B,0.5,0.5,10B,1.2\n")
    import_table(tmp_path / "s.duckdb", source, proportions="p:*", losses="loss:*", unique="u:*")
    assert query(tmp_path / "s.duckdb", "SELECT language, unique_tokens FROM run_languages ORDER BY position") == [
        ("go", 10_000_000_000),
        ("java", None),
    ]


def test_a_glob_without_a_star_or_matching_nothing_is_a_clear_error(tmp_path):
    source = tmp_path / "x.csv"
    source.write_text("N,D,p:a,loss:a\n70M,1B,1.0,3.0\n")
    with pytest.raises(CodescaleError, match="exactly one"):
        import_table(tmp_path / "s.duckdb", source, proportions="p:a", losses="loss:*")
    with pytest.raises(CodescaleError, match="matches no column"):
        import_table(tmp_path / "s.duckdb", source, proportions="share_*", losses="loss:*")
