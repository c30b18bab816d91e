"""Every workspace a key may ask, as a model of an OpenAI-compatible API at `/api/openai/v1/`.

`GET /models` lists them (`id` = the workspace's slug); `POST /chat/completions` asks one,
whole or streamed, through the same chat services as the site (`chat_start`, `chat_answer`):
the chat is stored, and privacy, quotas, rate limits and usage apply. The wire format is
OpenAI's, errors included (`{"error": {"message", "type", "code"}}`), so any OpenAI client
works; the answer's sources travel in an extra top-level field, `sources`.
"""
