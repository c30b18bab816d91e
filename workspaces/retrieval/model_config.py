"""How a local sentence-embedding model wants to be run, read from its folder's
sentence-transformers files, so any such model (e.g. multilingual-e5) works by configuration:

- `modules.json`: whether a Normalize module follows the pooling (L2 normalisation), and the
  pooling module's folder (usually `1_Pooling`);
- `<pooling folder>/config.json`: `pooling_mode_cls_token`, `pooling_mode_mean_tokens`,
  `pooling_mode_max_tokens`;
- `sentence_bert_config.json`: `max_seq_length` (word pieces);
- `config_sentence_transformers.json`: `prompts`, the text put before a query (`query`) and
  before a passage (`passage`, `document` or `doc`), e.g. "query: " / "passage: " for e5.

A folder without these files is run as all-MiniLM-L6-v2 is: mean pooling, normalised,
256 word pieces, no prefixes. Docent compares vectors by dot product, so they are always
L2 normalised before they are stored or compared, whatever the folder says; `normalize`
records what the model declares.
"""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 256
POOLING_MODES = (("pooling_mode_cls_token", "cls"), ("pooling_mode_max_tokens", "max"),
                 ("pooling_mode_mean_tokens", "mean"))
QUERY_PROMPTS = ("query",)
PASSAGE_PROMPTS = ("passage", "document", "doc", "corpus")
PURPOSES = ("query", "passage")


@dataclass(frozen=True)
class ModelConfig:
    pooling: str = "mean"
    normalize: bool = True
    max_tokens: int = DEFAULT_MAX_TOKENS
    prefixes: dict[str, str] = field(default_factory=dict)

    def prefixed(self, texts: list[str], purpose: str) -> list[str]:
        """`texts` with the model's prefix for `purpose` ("query" or "passage") before each."""
        if purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
        prefix = self.prefixes.get(purpose, "")
        return [prefix + text for text in texts] if prefix else list(texts)


def _read(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("the model file %s cannot be read (%s): using defaults", path, exc)
        return None


def model_config(folder: Path) -> ModelConfig:
    """The folder's configuration (see the module's docstring); defaults for what it lacks."""
    folder = Path(folder)
    modules = _read(folder / "modules.json")
    pooling_path, normalize = "1_Pooling", True
    if isinstance(modules, list):
        types = {
            str(module.get("type", "")).rsplit(".", 1)[-1]: module for module in modules if isinstance(module, dict)
        }
        normalize = "Normalize" in types
        pooling_path = str(types.get("Pooling", {}).get("path") or pooling_path)
    pooling = "mean"
    pooling_file = _read(folder / pooling_path / "config.json")
    if isinstance(pooling_file, dict):
        pooling = next((mode for key, mode in POOLING_MODES if pooling_file.get(key)), "mean")
    max_tokens = DEFAULT_MAX_TOKENS
    bert = _read(folder / "sentence_bert_config.json")
    if isinstance(bert, dict) and isinstance(bert.get("max_seq_length"), int) and bert["max_seq_length"] > 0:
        max_tokens = bert["max_seq_length"]
    prefixes = {}
    prompts = (_read(folder / "config_sentence_transformers.json") or {})
    prompts = prompts.get("prompts") if isinstance(prompts, dict) else None
    if isinstance(prompts, dict):
        for purpose, names in (("query", QUERY_PROMPTS), ("passage", PASSAGE_PROMPTS)):
            found = next((prompts[name] for name in names if isinstance(prompts.get(name), str)), "")
            if found:
                prefixes[purpose] = found
    return ModelConfig(pooling=pooling, normalize=normalize, max_tokens=max_tokens, prefixes=prefixes)
