"""Every system setting Docent knows: its type, default, help text and validation.

Code reads settings only through `settings_app.services.setting_get(label)`.
Stored values are text; each type turns its form value into that text and back.
"""

from settings_app.choices import ChatProvider
from settings_app.setting_types import (  # noqa: F401 - Purpose and the types, named here for callers
    BoolSetting,
    ChoiceSetting,
    EmailSetting,
    IntSetting,
    LinksSetting,
    Purpose,
    Setting,
    TextSetting,
    UrlSetting,
)

DEFAULT_SYSTEM_PROMPT = (
    "You answer questions about the documents of this workspace. Use only the passages given as context, "
    "cite them by their number like [1], and say so plainly when the passages do not answer the question."
)


REGISTRY: dict[str, Setting] = {
    s.label: s
    for s in (
        TextSetting(
            "custom_app_name", "Docent", "The name people see in the top bar, in page titles and in the admin.",
            title="Site name", purpose=Purpose.LOOK, max_length=60,
        ),
        EmailSetting(
            "support_email", "", "An address shown in the footer for people who need help. Empty: none shown.",
            title="Help address", purpose=Purpose.LOOK,
        ),
        LinksSetting(
            "footer_links", [], "Up to 3 links in the footer, one per line, written as: Title | https://…",
            title="Footer links", purpose=Purpose.LOOK,
        ),
        TextSetting(
            "meta_page_title", "Docent", "The title of the home page in the browser's tab.",
            title="Home page title", purpose=Purpose.LOOK, max_length=120,
        ),
        TextSetting(
            "default_system_prompt", DEFAULT_SYSTEM_PROMPT,
            "What a language model is told before each question, for every workspace that has no instructions "
            "of its own.",
            title="Default instructions for the model", purpose=Purpose.ANSWERS, max_length=8000, multiline=True,
        ),
        BoolSetting(
            "members_can_upload", False,
            "When ticked, people added to a workspace without a chosen role may upload (editors); otherwise they "
            "may only read and ask (viewers).",
            title="New members may upload", purpose=Purpose.PEOPLE,
        ),
        BoolSetting(
            "members_create_workspaces", False,
            "When ticked, members may create workspaces on the site and own what they create; otherwise only "
            "admins and managers may (who always own what they create).",
            title="Members may create workspaces", purpose=Purpose.PEOPLE,
        ),
        ChoiceSetting(
            "manager_scope", "all", "Which workspaces managers see and run in the admin.",
            title="Managers run", purpose=Purpose.PEOPLE,
            choices=(("all", "Every workspace"), ("owned", "Only the workspaces they own")),
        ),
        TextSetting(
            "owner_chat_models", "",
            "Models that workspace owners may pick on their Settings tab, one name per line. Empty: owners "
            "can only use the server's model.",
            title="Models owners may choose", purpose=Purpose.ANSWERS, max_length=2000, multiline=True,
        ),
        IntSetting(
            "max_upload_mb", 25, "The largest upload, one file or several sent together, in megabytes (1–512).",
            title="Largest upload (MB)", purpose=Purpose.DOCUMENTS, min_value=1, max_value=512,
        ),
        IntSetting(
            "passage_size_words", 200,
            "Documents are cut into passages of about this many words; answers quote and cite whole passages.",
            title="Words per passage", purpose=Purpose.DOCUMENTS, min_value=20, max_value=2000,
        ),
        IntSetting(
            "passage_overlap_words", 40,
            "How many words a passage repeats from the one before, so a sentence cut in two is found whole.",
            title="Words shared by neighbouring passages", purpose=Purpose.DOCUMENTS, min_value=0, max_value=500,
        ),
        IntSetting(
            "daily_message_limit", 0,
            "How many questions one person may ask each day (the day of the server's time zone). 0: no limit. "
            "A limit set on a person wins over this one.",
            title="Questions per person per day", purpose=Purpose.PEOPLE, max_value=100_000,
        ),
        IntSetting(
            "max_prompt_chars", 4000, "The longest question a person may ask, in characters.",
            title="Longest question", purpose=Purpose.PEOPLE, min_value=20, max_value=100_000,
        ),
        ChoiceSetting(
            "chat_provider", "retrieval",
            "Who writes the answers in workspaces that have not chosen: Docent itself from the passages it finds "
            "(no model needed), or a language model server.",
            title="Answers come from", purpose=Purpose.ANSWERS, choices=tuple(ChatProvider.choices),
        ),
        UrlSetting(
            "llm_base_url", "",
            "The address of an OpenAI-compatible model server, ending in /v1, e.g. http://127.0.0.1:11434/v1.",
            title="Model server address", purpose=Purpose.ANSWERS,
        ),
        TextSetting(
            "llm_model", "", "The name of the model the server should answer with, e.g. llama3.1:8b.",
            title="Model name", purpose=Purpose.ANSWERS, max_length=120,
        ),
        ChoiceSetting(
            "embedding_provider", "local",
            "Search by meaning as well as by words: local (a small model on this server, downloaded once by "
            "the worker unless EMBEDDING_MODEL_DIR names a copy; searches use words only until it is there), "
            "an OpenAI-compatible /embeddings server, or none (words only). The worker embeds existing "
            "passages in the background by itself.",
            title="Search by meaning", purpose=Purpose.SEARCH,
            choices=(("none", "none"), ("local", "local"), ("openai-compatible", "openai-compatible")),
        ),
        UrlSetting(
            "embedding_base_url", "",
            "The address of an OpenAI-compatible embeddings server, ending in /v1, e.g. http://127.0.0.1:11434/v1.",
            title="Embeddings server address", purpose=Purpose.SEARCH,
        ),
        TextSetting(
            "embedding_model", "", "The name of the embedding model that server should use.",
            title="Embedding model name", purpose=Purpose.SEARCH, max_length=120,
        ),
        TextSetting(
            "sso_allowed_email_domains", "",
            "Single sign-on: people unknown to Docent whose verified email is in one of these domains "
            "(comma-separated, e.g. example.com) get a member account. Others need an invite or a mapped group.",
            title="Email domains that may join by single sign-on", purpose=Purpose.SIGN_IN, max_length=1000,
        ),
        BoolSetting(
            "sso_required", False,
            "Everyone signs in with single sign-on (or LDAP); local passwords work only for the break-glass admin.",
            title="Single sign-on required", purpose=Purpose.SIGN_IN,
        ),
        TextSetting(
            "sso_break_glass_username", "",
            "The one admin who may still sign in with a local password when single sign-on is required.",
            title="Break-glass admin", purpose=Purpose.SIGN_IN, max_length=64,
        ),
        BoolSetting(
            "second_factor_required_for_staff", False,
            "Admins and managers who sign in with a password must set up an authenticator app.",
            title="Two-factor required for admins and managers", purpose=Purpose.SIGN_IN,
        ),
        ChoiceSetting(
            "rerank_provider", "none",
            "Reranking of the best hits by a cross-encoder: none, http (a /rerank server in the Cohere, Jina or "
            "TEI shape at the reranking server address) or local (an ONNX cross-encoder in RERANK_MODEL_DIR).",
            title="Reranking", purpose=Purpose.SEARCH,
            choices=(("none", "none"), ("http", "http"), ("local", "local")),
        ),
        UrlSetting(
            "rerank_base_url", "", "The address of a reranking server, e.g. http://127.0.0.1:8080 (Docent posts "
            "to /rerank).", title="Reranking server address", purpose=Purpose.SEARCH,
        ),
        TextSetting(
            "rerank_model", "", "The name of the model the reranking server should use, if it asks for one.",
            title="Reranking model name", purpose=Purpose.SEARCH, max_length=120,
        ),
        IntSetting(
            "rerank_candidates", 30, "How many of the best hits the reranker orders again, from 20 to 50.",
            title="Hits reranked", purpose=Purpose.SEARCH, min_value=20, max_value=50,
        ),
    )
}
