"""``ExpectNoLedgerRuleViolations``: GX's ``UnexpectedRowsExpectation`` for one ledger rule.

It differs from its parent in two ways: it carries the rule id (``rule``) of the registry, and
it fetches every offending row (the parent keeps at most 200), so that each becomes a finding.
Importing this module registers the expectation and its metric with GX.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations import UnexpectedRowsExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.query_metrics.query_table.query_table import QueryTable

__all__ = ["ExpectNoLedgerRuleViolations"]


class LedgerRuleRows(QueryTable):
    """Every row of a rule's query (``unexpected_rows_query.table`` stops at 200)."""

    metric_name = "ledger_rule.rows"
    value_keys = ("unexpected_rows_query",)
    query_param_name: ClassVar[str] = "unexpected_rows_query"

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, execution_engine: SqlAlchemyExecutionEngine, metric_domain_kwargs: dict,
                    metric_value_kwargs: dict, metrics: dict[str, Any], runtime_configuration: dict) -> list[dict]:
        batch, _, _ = execution_engine.get_compute_domain(metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE)
        # the batch as a parenthesised subquery, always: every rule gives {batch} its own alias
        if not isinstance(batch, sa.Table):
            batch = batch.compile(dialect=execution_engine.engine.dialect, compile_kwargs={"literal_binds": True})
        query = cls._format_query(cls._get_query_from_metric_value_kwargs(metric_value_kwargs), batch=f"({batch})")
        return cls._get_sqlalchemy_records_from_substituted_batch_subquery(query, execution_engine, fetch_all=True)


class ExpectNoLedgerRuleViolations(UnexpectedRowsExpectation):
    """No row of the ledger rule's query: each row it returns is an offending subject."""

    rule: str
    metric_dependencies: ClassVar[tuple[str, ...]] = ("ledger_rule.rows",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None,
                  execution_engine: Any = None) -> dict[str, Any]:
        rows = metrics["ledger_rule.rows"]
        return {"success": not rows, "result": {"observed_value": len(rows), "details": {"unexpected_rows": rows}}}
