"""The Great Expectations engine: a file-based GX Core 1.x project, built from the rule files.

``checks/gx/`` is committed: ``great_expectations.yml`` (one SQL data source, one table asset per
projection table, Data Docs), one expectation suite and one validation definition per table, and
the ``nightly`` checkpoint with ``UpdateDataDocsAction``. Every expectation is an
``ExpectNoLedgerRuleViolations`` carrying a rule file's query, its rule id and severity.
``python -m checks.gx_project`` rewrites the project from ``contracts/rules/*/nightly.sql`` (deterministic ids; a
test requires the committed files to equal what it writes).

A run copies the project into the output directory (the committed one is never written to),
points the data source at the ledger through the ``FUNDLEDGER_CHECK_DB`` config variable and runs
the checkpoint. The variable's value (the database URL, with its password if it has one) is given
to GX as its runtime environment, in the process's memory only: never in ``os.environ``, where
every child process and crash reporter would inherit it, nor in ``config_variables.yml`` or any
other file of the run; the Data Docs land in ``OUT/gx/uncommitted/data_docs/local_site/``, made to work
offline (``checks/offline.py``).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

from checks.offline import make_offline
from checks.sqlrules import TABLES, SqlRule, findings_from_rows, sql_rules
from ledger.findings import Finding

__all__ = ["GX_DIR", "build_project", "run_gx"]

GX_DIR = Path(__file__).resolve().parent / "gx"
_DB_VARIABLE = "FUNDLEDGER_CHECK_DB"
_YML = """\
# Written by `python -m checks.gx_project` from contracts/rules/*/nightly.sql: do not edit by hand.
config_version: 4.0
analytics_enabled: false
progress_bars:
  globally: false
  metric_calculations: false
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: validation_definitions/
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  local_site:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/data_docs/local_site/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
fluent_datasources:
  ledger:
    type: sql
    id: {datasource_id}
    connection_string: ${{{variable}}}
    assets:
{assets}"""


def _id(*names: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "fundledger:" + "/".join(names)))


def _tables() -> list[str]:
    return [t for t in TABLES if any(r.table == t for r in sql_rules())]


def _suite(table: str) -> dict[str, Any]:
    return {
        "name": f"ledger-{table}",
        "id": _id("suite", table),
        "meta": {"great_expectations_version": "1.24.1", "fundledger": "nightly rules over the projection table " + table},
        "notes": None,
        "expectations": [
            {"type": "expect_no_ledger_rule_violations", "id": _id("expectation", r.name),
             "description": f"{r.rule} ({r.severity}): {r.what}",
             "severity": "critical" if r.severity == "fatal" else "warning",
             "kwargs": {"rule": r.rule, "unexpected_rows_query": r.sql},
             "meta": {"rule": r.rule, "severity": r.severity, "file": f"contracts/rules/{r.name}/nightly.sql"}}
            for r in sql_rules() if r.table == table],
    }


def project_files() -> dict[str, str]:
    """Every file of the GX project, by path relative to ``checks/gx/``."""
    assets = "".join(
        f"      {t}:\n        type: table\n        id: {_id('asset', t)}\n        table_name: {t}\n"
        f"        batch_metadata: {{}}\n        batch_definitions:\n          whole-table:\n"
        f"            id: {_id('batch', t)}\n            partitioner:\n" for t in _tables())
    files = {"great_expectations.yml": _YML.format(datasource_id=_id("datasource"), variable=_DB_VARIABLE, assets=assets)}
    for t in _tables():
        files[f"expectations/ledger-{t}.json"] = json.dumps(_suite(t), ensure_ascii=False, indent=2) + "\n"
        files[f"validation_definitions/ledger-{t}.json"] = json.dumps({
            "name": f"ledger-{t}", "id": _id("validation", t),
            "data": {"datasource": {"name": "ledger", "id": _id("datasource")},
                     "asset": {"name": t, "id": _id("asset", t)},
                     "batch_definition": {"name": "whole-table", "id": _id("batch", t)}},
            "suite": {"name": f"ledger-{t}", "id": _id("suite", t)}}, indent=2) + "\n"
    files["checkpoints/nightly.json"] = json.dumps({
        "name": "nightly", "id": _id("checkpoint"),
        "validation_definitions": [{"name": f"ledger-{t}", "id": _id("validation", t)} for t in _tables()],
        "actions": [],  # the Data Docs are built once after the run (run_gx), not once per validation
        "result_format": {"result_format": "COMPLETE"}}, indent=2) + "\n"
    return files


def build_project(root: Path = GX_DIR) -> None:
    if root.exists():
        shutil.rmtree(root)
    for name, text in project_files().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run_gx(db_url: str, out: Path) -> tuple[list[Finding], Path]:
    """Run the nightly checkpoint over the ledger at ``db_url``; the findings and the Data Docs index."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from tqdm import tqdm

    # GX's hidden progress bars would start tqdm's monitor thread for the rest of the process: a
    # process with a second thread no longer forks its signature checkers (ledger.chain.process_pool)
    tqdm.monitor_interval = 0
    importlib.import_module("checks._gx_rule")  # registers the rules' expectation and metric with GX

    work = out / "gx"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(GX_DIR, work)
    context = gx.get_context(mode="file", project_root_dir=str(out), runtime_environment={_DB_VARIABLE: db_url})
    result = context.checkpoints.get("nightly").run()
    # once, for every result of the run: GX's update_data_docs action rebuilt the site and its
    # index after each of the tables' validations, most of the run's time
    context.build_data_docs()
    by_name = {r.rule: r for r in sql_rules()}
    findings: list[Finding] = []
    for run in result.run_results.values():
        for res in run.results:
            rule: SqlRule = by_name[res.expectation_config.kwargs["rule"]]
            info = res.exception_info or {}
            raised = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
            for error in raised:
                if error.get("raised_exception"):
                    raise RuntimeError(f"the GX rule {rule.rule} (contracts/rules/{rule.name}/nightly.sql) could not run: "
                                       f"{error['exception_message']}")
            if not res.success:
                findings += findings_from_rows(rule, res.result["details"]["unexpected_rows"])
    site = work / "uncommitted" / "data_docs" / "local_site"
    make_offline(site)  # the pages point at the copies fundledger ships, nothing outside
    return findings, site / "index.html"


if __name__ == "__main__":
    build_project(Path(sys.argv[1]) if len(sys.argv) > 1 else GX_DIR)
