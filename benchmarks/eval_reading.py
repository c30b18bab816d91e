"""Recall of cited sources on the SQuAD-open yardstick (see ../shared/eval/README.md).

Imports each article as one plain-text document (its paragraphs joined by blank
lines) into a throwaway workspace, asks every answerable question through the
chat's own retrieval (`retrieve_passages`, the passages an answer cites), and
counts a question as found when a gold answer string occurs in a cited passage.

    python -m benchmarks.eval_reading [path/to/squad-open.json]

Prints recall in the first cited passage and in all cited passages (top_n).
Uses its own SQLite file in the temporary folder unless DATABASE_URL is set.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'docent-eval.sqlite3'}")
os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "docent-eval-media"))
os.environ.setdefault("SECRET_KEY", "eval-only-secret-key")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from workspaces.chats.answering import retrieve_passages  # noqa: E402
from workspaces.documents.services import document_ingest  # noqa: E402
from workspaces.models import Workspace  # noqa: E402

# ../shared/eval/squad-open.json next to the checkout (or next to a folder of worktrees).
DEFAULT_PATH = next(
    (folder / "shared" / "eval" / "squad-open.json" for folder in Path(__file__).resolve().parents
     if (folder / "shared" / "eval" / "squad-open.json").exists()),
    Path("../shared/eval/squad-open.json"),
)
SLUG = "eval-reading"


def main(path: Path) -> None:
    call_command("migrate", verbosity=0)
    Workspace.objects.filter(slug=SLUG).delete()
    workspace = Workspace.objects.create(name="Eval reading", slug=SLUG)
    articles = json.loads(path.read_text())["data"]
    questions = []
    started = time.perf_counter()
    for article in articles:
        text = "\n\n".join(paragraph["context"] for paragraph in article["paragraphs"])
        upload = ContentFile(text.encode(), name=f"{article['title']}.txt")
        document_ingest(workspace=workspace, uploaded_file=upload, filename=upload.name)
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                if not qa.get("is_impossible") and qa["answers"]:
                    questions.append((qa["question"], {answer["text"] for answer in qa["answers"]}))
    ingested = time.perf_counter()
    first = cited = 0
    for question, answers in questions:
        hits = retrieve_passages(workspace=workspace, prompt=question, history=[])
        found = [any(answer in hit.text for answer in answers) for hit in hits]
        first += bool(found and found[0])
        cited += any(found)
    finished = time.perf_counter()
    total = len(questions)
    print(f"questions {total}, top_n {workspace.top_n}, threshold {workspace.similarity_threshold}")
    print(f"recall in the first cited passage  {first / total:.3f}")
    print(f"recall in any cited passage        {cited / total:.3f}")
    print(f"ingest {ingested - started:.1f} s, questions {finished - ingested:.1f} s")
    workspace.delete()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)
