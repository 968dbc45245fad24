"""The results as files: one TSV row per case (with '#' header and summary lines), one per timer case."""
import os

CASE_COLUMNS = ("state", "closed_by", "opened", "listener", "segment", "reply", "state_after",
                "probe_reply", "probe_state_after", "agree", "why", "detail")
TIMER_COLUMNS = ("case", "state", "closed_by", "opened", "outcome", "subject_sent", "ss_at_start")


def _clean(value):
    return str(value).replace("\t", " ").replace("\n", " ")


def _write(path, header, columns, rows, footer):
    tmp = path + ".part"
    with open(tmp, "w") as f:
        for line in header:
            f.write(f"# {line}\n")
        f.write("\t".join(columns) + "\n")
        for row in rows:
            f.write("\t".join(_clean(row.get(c, "")) for c in columns) + "\n")
        for line in footer:
            f.write(f"# {line}\n")
    os.replace(tmp, path)


def summary(rows):
    """"N cases, C compared, M agree (P% of compared)" (C = cases with a usable prediction)."""
    compared = [r for r in rows if r["agree"] in ("yes", "no")]
    agree = sum(r["agree"] == "yes" for r in compared)
    share = f"{100.0 * agree / len(compared):.1f}%" if compared else "n/a"
    return f"{len(rows)} cases, {len(compared)} compared, {agree} agree ({share} of compared)"


def clipped(rows):
    """How many agreements compared the ack of a clipped case as SEG.SEQ+SEG.LEN (probe.py)."""
    return sum(r["agree"] == "yes" and r.get("why", "").startswith("clipped") for r in rows)


def write_cases(path, header, rows):
    _write(path, header, CASE_COLUMNS, rows,
           ["summary: " + summary(rows),
            f"clipped: {clipped(rows)} of the agreements compare the ack of a segment the probe was given clipped to "
            "its window as SEG.SEQ+SEG.LEN (probe.py)"])


def write_timers(path, header, rows):
    _write(path, header, TIMER_COLUMNS, rows, [])


def timers_path(cases_path):
    """linux-X.tsv -> linux-X-timers.tsv"""
    stem, ext = os.path.splitext(cases_path)
    return f"{stem}-timers{ext or '.tsv'}"
