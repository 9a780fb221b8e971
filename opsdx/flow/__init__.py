"""Flow: where work waits, which stage limits throughput, and who everything waits for.

* :func:`read_work_items` reads stage visits (and :func:`from_event_log`
  process-mining event logs) with a data-quality report;
* :func:`read_status_history` turns a tracker's status changes into stage
  visits through a status map (:func:`load_status_map`, ``statuses.yaml``);
  :func:`read_jira`, :func:`read_github` and :func:`read_xes` read the
  tools' own exports, :func:`read_time_in_status` a time-in-status report
  (:func:`read_tracker` tells them apart);
* :func:`find_constraint` names the constraint with its evidence;
* :func:`simulate_line` simulates a serial line (ground truth and what-if);
* :func:`read_decisions` and :func:`decision_report` measure decision
  latency, concentration and the founder-as-router pattern;
  :func:`hero_dependency` finds the same pattern in work items;
* :func:`communication_paths` and :func:`delegation_chain` give the
  organisation mechanics (the latter under stated assumptions).
"""

from .constraint import ConstraintReport, find_constraint
from .decisions import (DELEGATION_LOSSES, DecisionReport, communication_paths, decision_report,
                        delegation_chain, hero_dependency, read_decisions, truck_factor)
from .simulate import Line, Stage, simulate_line
from .statuses import (StatusMap, load_status_map, read_status_history, status_map_schema,
                       status_table, suggest_status_map)
from .timeinstatus import read_time_in_status
from .trackers import read_github, read_jira, read_tracker, read_xes
from .workitems import FlowData, as_flow, from_event_log, infer_stage_order, read_work_items

__all__ = ["read_work_items", "from_event_log", "FlowData", "infer_stage_order", "as_flow",
           "find_constraint", "ConstraintReport", "Line", "Stage", "simulate_line",
           "read_decisions", "decision_report", "DecisionReport", "hero_dependency",
           "truck_factor", "communication_paths", "delegation_chain", "DELEGATION_LOSSES",
           "read_status_history", "load_status_map", "StatusMap", "status_map_schema",
           "status_table", "suggest_status_map", "read_jira", "read_github", "read_xes",
           "read_tracker", "read_time_in_status"]
