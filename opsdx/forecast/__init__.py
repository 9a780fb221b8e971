"""Planning reality: estimates against actuals, and the outside view.

* :func:`read_estimates` reads estimates and actuals;
* :class:`ReferenceClass` is the outside view: the distribution of
  ``actual / estimate`` over similar past work, and forecasts from it;
* :func:`daily_throughput`, :func:`forecast_when` and :func:`forecast_how_many`
  replay the team's daily throughput (Monte Carlo);
* :func:`published_class` gives reference classes published with their
  sources (e.g. the UK DfT/Flyvbjerg 2004 road uplifts);
* :func:`assess_planning` runs all of them on one client's estimates.
"""

from .backtest import BacktestResult, backtest_forecast_when, backtest_reference_class
from .estimates import read_estimates
from .montecarlo import (HowManyForecast, WhenForecast, daily_throughput, forecast_how_many,
                         forecast_when)
from .planning import PlanningResult, assess_planning
from .schedule import ScheduleForecast, simulate_schedule
from .reference_class import PublishedReferenceClass, ReferenceClass, published_class

__all__ = ["read_estimates", "ReferenceClass", "PublishedReferenceClass", "published_class",
           "daily_throughput", "forecast_when", "forecast_how_many", "WhenForecast",
           "HowManyForecast", "simulate_schedule", "ScheduleForecast",
           "backtest_reference_class", "backtest_forecast_when", "BacktestResult",
           "assess_planning", "PlanningResult"]
