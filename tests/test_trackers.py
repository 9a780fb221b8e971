"""Tracker exports as the tools write them: Jira and GitHub JSON, XES event logs.

The fixtures are small and real-shaped (``tests/data/jira``, ``tests/data/github``,
``tests/data/log.xes``): a move back, a reopen, an unmapped status, offsets on
both sides of a daylight-saving change, milliseconds, pages that overlap and a
changelog continued in its own page.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import opsdx
from opsdx.cli import main
from opsdx.errors import ROW_SET_ASIDE
from opsdx.flow.trackers import github_changes, jira_changes, tracker_kind

DATA = Path(__file__).resolve().parent / "data"
JIRA, GITHUB, XES = DATA / "jira", DATA / "github", DATA / "log.xes"
JIRA_MAP, GITHUB_MAP = DATA / "statuses.yaml", GITHUB / "statuses.yaml"
T = pd.Timestamp


def _visits(flow, item):
    v = flow.visits[flow.visits["item_id"] == item]
    return v[["stage", "entered_at", "started_at", "exited_at", "owner"]].values.tolist()


def _codes(flow):
    return [n.code for n in flow.notes]


@pytest.fixture(scope="module")
def jira():
    return opsdx.read_jira(JIRA, JIRA_MAP)


def test_jira_changes_become_visits_in_utc_with_the_assignee_of_the_moment(jira):
    # OPS-1 was assigned to Ana, then to Ben just before review: each visit has its worker
    assert _visits(jira, "OPS-1") == [
        ["Build", T("2026-03-02 09:30:15.250"), T("2026-03-02 09:30:15.250"),
         T("2026-03-04 15:00"), "Ana Ruiz"],
        ["Review", T("2026-03-04 15:00"), T("2026-03-05 08:15"), T("2026-03-05 10:00"),
         "Ben Okafor"]]
    # OPS-2 crossed the spring change (+0100 to +0200), was blocked (unmapped: it stays in
    # Build), went back from review to Build (rework) and is still in review
    assert _visits(jira, "OPS-2") == [
        ["Build", T("2026-03-27 12:00"), T("2026-03-27 12:00"), T("2026-03-30 07:00"),
         "Cara Lind"],
        ["Review", T("2026-03-30 07:00"), T("2026-03-30 12:00"), T("2026-03-31 08:00"),
         "Cara Lind"],
        ["Build", T("2026-03-31 08:00"), T("2026-03-31 08:00"), T("2026-04-01 07:00"),
         "Cara Lind"],
        ["Review", T("2026-04-01 07:00"), T("2026-04-01 13:00"), pd.NaT, "Cara Lind"]]
    assert jira.open_visits == 1


def test_jira_reopen_and_a_changelog_continued_in_its_own_page(jira):
    # OPS-3 (New York, -0500) was done, reopened, and its last two changes are in
    # page-10.json, the rest of its changelog fetched apart; nobody was assigned
    assert [v[:4] for v in _visits(jira, "OPS-3")] == [
        ["Build", T("2026-03-03 14:00"), T("2026-03-03 14:00"), T("2026-03-04 22:00")],
        ["Build", T("2026-03-09 15:00"), T("2026-03-09 15:00"), T("2026-03-10 16:00")],
        ["Review", T("2026-03-10 16:00"), T("2026-03-10 17:30"), T("2026-03-10 17:30")]]
    assert all(pd.isna(v[4]) for v in _visits(jira, "OPS-3"))
    assert jira.visits.set_index("item_id").loc["OPS-3", "row"].tolist()[-1] == \
        "page-10.json:$.changelog.histories[0].items[0]"


def test_jira_sets_aside_by_json_path_and_says_what_the_export_lacks(jira):
    assert jira.quality[["row", "value"]].values.tolist() == [
        ["page-1.json:$.issues[1].changelog.histories[1].items[0]", "Blocked"]]
    assert _codes(jira) == ["issues_missing", "duplicates_merged", "unmapped_statuses",
                            "backward_moves", "reopened"]
    text = {n.code: n.text for n in jira.notes}
    assert text["issues_missing"] == ("the export says 4 issues and 3 are here: a page of the "
                                      "search is missing")
    assert text["duplicates_merged"].startswith("1 issue found in more than one page")
    # one page alone: OPS-3's changelog is shorter than its total, and that is said
    alone = opsdx.read_jira(JIRA / "page-2.json", JIRA_MAP)
    assert "changelog_truncated" in _codes(alone)
    assert "(OPS-3)" in next(n.text for n in alone.notes if n.code == "changelog_truncated")


def test_jira_reads_a_list_an_issue_and_the_parsed_json_alike(jira):
    page = json.loads((JIRA / "page-1.json").read_text())
    one = opsdx.read_jira(page["issues"][0], JIRA_MAP)
    assert _visits(one, "OPS-1") == _visits(jira, "OPS-1")
    listed = opsdx.read_jira(page["issues"], JIRA_MAP)
    assert _visits(listed, "OPS-2") == _visits(jira, "OPS-2")
    assert listed.visits["row"].iloc[0].startswith("$[0].changelog")


def test_jira_an_issue_that_never_moved_is_in_its_first_status():
    issue = {"key": "OPS-9", "fields": {"created": "2026-03-02T09:00:00.000+0100",
                                        "status": {"name": "In Progress"}},
             "changelog": {"total": 0, "histories": []}}
    flow = opsdx.read_jira(issue, JIRA_MAP)
    assert _visits(flow, "OPS-9")[0][:4] == ["Build", T("2026-03-02 08:00"),
                                            T("2026-03-02 08:00"), pd.NaT]


def test_broken_pages_are_named_with_their_line_and_all_listed(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(JIRA, folder)
    (folder / "page-3.json").write_text('{"issues": [\n  {"key": "OPS-7",}\n]}\n')
    (folder / "page-4.json").write_bytes(b'{"issues": []}')
    (folder / "page-5.json").write_text('{"issues": [}')
    with pytest.raises(opsdx.DataError) as err:
        opsdx.read_jira(folder, JIRA_MAP)
    assert [(p.file, p.message.split(":")[0]) for p in err.value.problems] == [
        ("export/page-3.json", "not valid JSON at line 2, character 19"),
        ("export/page-5.json", "not valid JSON at line 1, character 13")]
    assert "cut short" not in err.value.problems[0].message
    # a page cut short, an empty page and the API's refusal saved in place of a page
    (folder / "page-3.json").write_text('{"issues": [\n  {"key": "OPS-7", "fields": {')
    (folder / "page-5.json").write_text("")
    refusal = {"errorMessages": ["The value 'OPS' does not exist for the field 'project'."],
               "errors": {}}
    (folder / "page-6.json").write_text(json.dumps(refusal))
    with pytest.raises(opsdx.DataError) as err:
        opsdx.read_jira(folder, JIRA_MAP)
    messages = [p.message for p in err.value.problems]
    assert messages[0].endswith("(the file ends there: cut short?)")
    assert messages[1] == "the file is empty (a download that failed?)"
    assert messages[2] == ("the API answered with an error, not data: The value 'OPS' does not "
                           "exist for the field 'project'.")
    with pytest.raises(opsdx.DataError, match="a changelog page without its issue"):
        opsdx.read_jira({"values": []}, JIRA_MAP)
    with pytest.raises(opsdx.DataError, match="no .json files"):
        opsdx.read_jira(tmp_path / "export" / ".." / "export" / "..", JIRA_MAP)


def test_the_export_is_never_modified(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(JIRA, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    opsdx.read_jira(folder, JIRA_MAP)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.fixture(scope="module")
def github():
    return opsdx.read_github(GITHUB, GITHUB_MAP)


def test_github_board_columns_labels_and_reopen(github):
    # #7: Todo (backlog), In progress, labelled "ready for review" (a queue), the Review
    # column, closed, reopened and back in progress, closed by a bot
    assert _visits(github, "portal#7") == [
        ["Build", T("2026-03-02 09:00:30"), T("2026-03-02 09:00:30"), T("2026-03-03 15:00"),
         "ana-r"],
        ["Review", T("2026-03-03 15:00"), T("2026-03-04 09:01"), T("2026-03-04 12:00"),
         "bokafor"],
        ["Build", T("2026-03-06 10:00:02"), T("2026-03-06 10:00:02"), T("2026-03-07 09:30"),
         "bokafor"]]
    # #8 went to a column the map does not name: it stays in progress, and that is listed
    assert _visits(github, "portal#8") == [
        ["Build", T("2026-03-03 12:00:10"), T("2026-03-03 12:00:10"), pd.NaT, "bokafor"]]
    assert github.quality[["row", "value"]].values.tolist() == [
        ["events-2.json:$[6]", "Waiting on customer"]]
    assert _codes(github) == ["duplicates_merged", "labels_ignored", "unmapped_statuses",
                              "backward_moves", "reopened"]
    ignored = next(n.text for n in github.notes if n.code == "labels_ignored")
    assert ignored == ("2 labels not in the status map, taken as not statuses: 'bug' (1), "
                       "'needs triage' (1)")


def test_github_timeline_shapes(tmp_path):
    # a timeline saved per issue, named by its number; and a GraphQL export with the new
    # Projects' status field
    timeline = [{"event": "labeled", "created_at": "2026-03-02T10:00:00Z",
                 "label": {"name": "ready for review"}, "actor": {"login": "ana-r"}},
                {"event": "assigned", "created_at": "2026-03-02T11:00:00Z",
                 "assignee": {"login": "bokafor"}},
                {"event": "commented", "created_at": "2026-03-02T11:30:00Z", "body": "LGTM"},
                {"event": "closed", "created_at": "2026-03-02T12:00:00.5Z"}]
    (tmp_path / "41.json").write_text(json.dumps(timeline))
    flow = opsdx.read_github(tmp_path / "41.json", GITHUB_MAP)
    # queued for review, closed from the queue: no work status, so no owner (the assignment
    # came between two statuses; the owner is the assignee at a status of the visit)
    [visit] = _visits(flow, "#41")
    assert visit[:4] == ["Review", T("2026-03-02 10:00"), T("2026-03-02 12:00:00.5"),
                         T("2026-03-02 12:00:00.5")] and pd.isna(visit[4])
    assert flow.visits["row"].tolist() == ["$[0]"]
    graphql = {"number": 42, "createdAt": "2026-03-02T08:00:00Z", "timeline": [
        {"__typename": "ProjectV2ItemStatusChangedEvent", "createdAt": "2026-03-02T09:00:00Z",
         "previousStatus": "Todo", "status": "In progress", "actor": {"login": "ana-r"}},
        {"__typename": "ProjectV2ItemStatusChangedEvent", "createdAt": "2026-03-03T09:00:00Z",
         "previousStatus": "In progress", "status": "Review"},
        {"__typename": "ClosedEvent", "createdAt": "2026-03-03T17:00:00Z"}]}
    flow = opsdx.read_github(graphql, GITHUB_MAP)
    assert [v[:4] for v in _visits(flow, "#42")] == [
        ["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"), T("2026-03-03 09:00")],
        ["Review", T("2026-03-03 09:00"), T("2026-03-03 09:00"), T("2026-03-03 17:00")]]
    with pytest.raises(opsdx.DataError, match="not a GitHub export"):
        opsdx.read_github({"events": []}, GITHUB_MAP)


def test_tracker_kind_tells_the_exports_apart(tmp_path):
    assert tracker_kind(JIRA) == "jira" and tracker_kind(GITHUB / "events-1.json") == "github"
    assert tracker_kind(XES) == "xes" and tracker_kind(DATA / "status_history.csv") == "table"
    frame, _, _ = jira_changes(JIRA)
    assert frame["status"].value_counts()["In Progress"] == 5
    frame, _, _ = github_changes(GITHUB)
    assert sorted(frame.loc[frame["kind"] == "label", "status"]) == [
        "bug", "needs triage", "ready for review"]


def test_xes_events_are_paired_and_named_by_line(tmp_path):
    flow = opsdx.read_xes(XES)
    assert flow.stages == ["Check application", "Approve offer"]
    assert _visits(flow, "173688") == [
        ["Check application", T("2026-03-02 10:00"), T("2026-03-02 10:00"),
         T("2026-03-02 10:45:30.250"), "10862"],
        ["Approve offer", T("2026-03-02 10:45:30.250"), T("2026-03-03 13:00"),
         T("2026-03-03 14:30"), "10913"]]
    # across the spring change: +01:00 at the start, +02:00 at the end
    assert _visits(flow, "173691")[0][1:4] == [T("2026-03-27 15:00"), T("2026-03-27 15:00"),
                                               T("2026-03-30 08:00")]
    # the lines of the <event> elements set aside: a schedule transition, an unreadable date
    assert flow.quality[["row", "column", "value"]].values.tolist() == [
        [70, "time:timestamp", "not a date"], [20, "lifecycle:transition", "schedule"]]
    packed = tmp_path / "log.xes.gz"
    with gzip.open(packed, "wb") as fh:
        fh.write(XES.read_bytes())
    again = opsdx.read_tracker(packed)
    pd.testing.assert_frame_equal(again.visits, flow.visits)


def test_xes_refuses_entities_and_locates_broken_xml(tmp_path):
    bomb = tmp_path / "bomb.xes"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<log><trace>&b;</trace></log>\n')
    with pytest.raises(opsdx.DataError, match="declares entities"):
        opsdx.read_xes(bomb)
    broken = tmp_path / "broken.xes"
    broken.write_text(XES.read_text().replace("</trace>\n\t<trace>", "\n\t<trace>", 1))
    with pytest.raises(opsdx.DataError) as err:
        opsdx.read_xes(broken)
    # the mismatch shows at the closing </log>, the last line
    last = len(broken.read_text().splitlines())
    assert err.value.problems[0].row == last and "mismatched tag" in str(err.value)
    cut = tmp_path / "cut.xes"
    cut.write_bytes(XES.read_bytes()[:1500])
    with pytest.raises(opsdx.DataError, match="not well-formed XML"):
        opsdx.read_xes(cut)
    empty = tmp_path / "empty.xes"
    empty.write_text("<log></log>")
    with pytest.raises(opsdx.DataError, match="no events in traces"):
        opsdx.read_xes(empty)


def _client(tmp_path, name="Acme"):
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "client.yaml").write_text(f"name: {name}\n")
    return folder


def test_a_client_folder_with_a_jira_export_is_analysed_by_opsdx_flow(tmp_path, capsys):
    folder = _client(tmp_path)
    shutil.copytree(JIRA, folder / "status_history")
    client = opsdx.load_client(folder)
    assert client.flow_source() == ("status_history", folder / "status_history")
    with pytest.raises(opsdx.DataError, match="needs statuses.yaml beside it"):
        client.work_items()
    shutil.copy(JIRA_MAP, folder / "statuses.yaml")
    flow = opsdx.load_client(folder).work_items()
    assert _visits(flow, "OPS-2") == _visits(opsdx.read_jira(JIRA, JIRA_MAP), "OPS-2")
    assert flow.source == "acme/status_history"
    assert main(["flow", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "stages (flow order):" in out and "Build" in out and "Review" in out
    assert "a page of the search is missing" in out
    # the same export saved as one file works the same; two sources are refused
    (folder / "status_history.json").write_text((JIRA / "page-1.json").read_text())
    with pytest.raises(opsdx.DataError, match="more than one source of work-item flow"):
        opsdx.load_client(folder).work_items()
    shutil.rmtree(folder / "status_history")
    assert len(opsdx.load_client(folder).work_items().visits) == 6


def test_a_client_folder_with_an_xes_log(tmp_path):
    folder = _client(tmp_path)
    shutil.copy(XES, folder / "event_log.xes")
    flow = opsdx.load_client(folder).work_items()
    assert flow.source == "acme/event_log.xes" and len(flow.visits) == 3
    problems = [p for p in opsdx.load_client(folder).validate() if p.code == ROW_SET_ASIDE]
    assert [(p.file, p.row, p.value) for p in problems] == [
        ("acme/event_log.xes", 70, "not a date"), ("acme/event_log.xes", 20, "schedule")]


def test_the_statuses_command_reads_json_exports(tmp_path, capsys):
    assert main(["statuses", str(JIRA)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["status", "changes", "items", "median", "hours"]
    assert out[1].split() == ["In", "Progress", "5", "3", "25.0"]
    assert main(["statuses", str(GITHUB), "--suggest", "--write",
                 str(tmp_path / "statuses.yaml")]) == 0
    out = capsys.readouterr().out
    assert "labels (a status only when the map names one):" in out and "needs triage" in out
    smap = opsdx.load_status_map(tmp_path / "statuses.yaml")
    assert smap.table.loc["in progress", "role"] == "work"
    assert main(["statuses", str(XES)]) != 0
    assert "log.xes is an XES event log" in capsys.readouterr().err


def _jql_page(key, is_last, token=None):
    """A page of Jira Cloud's /rest/api/3/search/jql: no total, isLast and a nextPageToken."""
    page = {"issues": [{"id": key[-1], "key": key, "fields": {
        "created": "2026-03-02T09:00:00.000+0100", "status": {"name": "Done"},
        "issuetype": {"name": "Story"}, "assignee": None},
        "changelog": {"startAt": 0, "maxResults": 1, "total": 1, "histories": [
            {"id": f"{key}-1", "created": "2026-03-03T10:00:00.000+0100", "items": [
                {"field": "status", "fieldId": "status", "fromString": "In Progress",
                 "toString": "Done"}]}]}}], "isLast": is_last}
    if token:
        page["nextPageToken"] = token
    return page


def test_jira_search_jql_pages_and_a_missing_last_page(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "page-1.json").write_text(json.dumps(_jql_page("OPS-1", False, "t2")))
    _, notes, _ = jira_changes(folder)
    assert [n.code for n in notes] == ["issues_missing"] and "nextPageToken" in notes[0].text
    (folder / "page-2.json").write_text(json.dumps(_jql_page("OPS-2", True)))
    frame, notes, _ = jira_changes(folder)
    assert notes == [] and sorted(set(frame["item"])) == ["OPS-1", "OPS-2"]
    flow = opsdx.read_jira(folder, JIRA_MAP)
    assert flow.visits[["item_id", "stage", "entered_at", "exited_at"]].values.tolist() == [
        ["OPS-1", "Build", T("2026-03-02 08:00"), T("2026-03-03 09:00")],
        ["OPS-2", "Build", T("2026-03-02 08:00"), T("2026-03-03 09:00")]]


def test_a_suggested_map_reads_kestrels_jira_export_as_its_own_map_does(tmp_path, capsys):
    """Jira's workflow names (Selected for development, Ready to deploy / Deploying, On
    staging) are guessed into the same stages, queues and work as the hand-made map."""
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "kestrel-software"
    target = tmp_path / "statuses.yaml"
    assert main(["statuses", str(sample / "status_history"), "--suggest", "--write",
                 str(target)]) == 0
    suggested = opsdx.load_status_map(target)
    assert suggested.stages == ["Refinement", "Build", "Review", "QA", "Staging", "Deploy"]
    mine = opsdx.read_jira(sample / "status_history", sample / "statuses.yaml").visits
    theirs = opsdx.read_jira(sample / "status_history", suggested).visits
    times = ["item_id", "entered_at", "started_at", "exited_at", "owner"]
    pd.testing.assert_frame_equal(mine[times], theirs[times])


def test_a_suggested_map_of_github_labels_loads_and_leaves_topics_out(tmp_path, capsys):
    target = tmp_path / "statuses.yaml"
    assert main(["statuses", str(GITHUB), "--suggest", "--write", str(target)]) == 0
    text = target.read_text()
    smap = opsdx.load_status_map(target)
    assert smap.stages == ["Build", "Review"] and "role: done" in text
    assert "# Left out as labels of a topic, not a state: bug." in text
    # waiting on the customer is a pause, not a stage of the work
    assert "# not mapped: 'Waiting on customer' (a pause" in text
    # the suggested map reads the export as the hand-made one does
    mine = opsdx.read_github(GITHUB, GITHUB_MAP).visits
    theirs = opsdx.read_github(GITHUB, smap).visits
    cols = ["item_id", "stage", "entered_at", "started_at", "exited_at"]
    pd.testing.assert_frame_equal(mine[cols], theirs[cols])


def test_a_changelog_missing_and_one_saved_as_the_api_returns_it(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    page = _jql_page("OPS-1", True)
    page["issues"][0]["id"] = "10001"
    bare = {"id": "10002", "key": "OPS-2", "fields": {
        "created": "2026-03-02T09:00:00.000+0100", "status": {"name": "In Progress"}}}
    page["issues"].append(bare)  # saved without expand=changelog
    (folder / "page-1.json").write_text(json.dumps(page))
    _, notes, _ = jira_changes(folder)
    assert [n.code for n in notes] == ["changelog_missing"]
    assert notes[0].text.startswith("1 issue without a changelog (OPS-2)")
    # /issue/10002/changelog saved as it came: its self address names the issue by id
    (folder / "changelog-2.json").write_text(json.dumps({
        "self": "https://acme.atlassian.net/rest/api/3/issue/10002/changelog?startAt=0",
        "startAt": 0, "maxResults": 100, "total": 1, "isLast": True, "values": [
            {"id": "20", "created": "2026-03-04T09:00:00.000+0100", "items": [
                {"field": "status", "fieldId": "status", "fromString": "In Progress",
                 "toString": "Done"}]}]}))
    assert jira_changes(folder)[1] == []
    flow = opsdx.read_jira(folder, JIRA_MAP)
    assert _visits(flow, "OPS-2")[0][:4] == ["Build", T("2026-03-02 08:00"),
                                            T("2026-03-02 08:00"), T("2026-03-04 08:00")]
    # a whole export without changelogs says so, instead of reading every item as not moving
    (folder / "changelog-2.json").unlink()
    (folder / "page-1.json").write_text(json.dumps({"issues": [bare], "isLast": True}))
    with pytest.raises(opsdx.DataError, match="the export has no changelog"):
        opsdx.read_jira(folder, JIRA_MAP)


def test_an_export_given_to_the_wrong_reader_is_named_at_once():
    with pytest.raises(opsdx.OpsdxError, match="looks like a GitHub export: read it with "
                                               "opsdx.read_github"):
        opsdx.read_jira(GITHUB, JIRA_MAP)
    with pytest.raises(opsdx.OpsdxError, match="looks like a Jira export"):
        opsdx.read_github(JIRA, GITHUB_MAP)
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "kestrel-software"
    with pytest.raises(opsdx.OpsdxError, match="is a client folder"):
        opsdx.read_tracker(sample, sample / "statuses.yaml")


def test_an_xes_interval_log_gives_each_visit_its_start(tmp_path):
    """pm4py writes an interval log with a start_timestamp on each event (no lifecycle)."""
    def event(activity, start, end):
        return (f'<event><string key="concept:name" value="{activity}"/>'
                f'<date key="start_timestamp" value="{start}"/>'
                f'<date key="time:timestamp" value="{end}"/></event>\n')
    path = tmp_path / "interval.xes"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<log>\n<trace>'
                    '<string key="concept:name" value="1"/>\n'
                    + event("place order", "2015-01-05T09:00:07.000+00:00",
                            "2015-01-05T09:10:00.000+00:00")
                    + event("make delivery", "2015-01-07T09:21:32.000+00:00",
                            "2015-01-07T10:00:00.000+00:00")
                    + "</trace>\n</log>\n")
    flow = opsdx.read_xes(path)
    v = flow.visits.set_index("stage")
    assert v.at["make delivery", "entered_at"] == T("2015-01-05 09:10")
    assert v.at["make delivery", "started_at"] == T("2015-01-07 09:21:32")
    assert v.at["place order", "started_at"] == T("2015-01-05 09:00:07")
    assert flow.quality.empty
