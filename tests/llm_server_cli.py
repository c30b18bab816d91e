"""Run the fake model server by hand: `.venv/bin/python -m tests.llm_server_cli --port 8765` (see tests.llm_server)."""

import argparse

from tests.llm_server import Behaviour, FakeLLMServer


def main(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible chat completions server for Docent.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--api-key", default="", help="Require this bearer key (default: accept any request).")
    parser.add_argument("--behaviour", choices=[b.value for b in Behaviour], default=Behaviour.ANSWER.value)
    parser.add_argument("--slow-seconds", type=float, default=3.0, help="Delay of the slow behaviour.")
    parser.add_argument("--token-seconds", type=float, default=0.0, help="Streaming: pause between tokens.")
    parser.add_argument("--stream-words", type=int, default=0, help="Streaming: pad answers to this many words.")
    parser.add_argument("--quiet", action="store_true", help="Do not log each request.")
    parser.add_argument("--first-token-log", default="", help="Streaming: note each first token's time here.")
    args = parser.parse_args(argv)
    fake = FakeLLMServer(
        host=args.host, port=args.port, behaviour=Behaviour(args.behaviour), api_key=args.api_key,
        slow_seconds=args.slow_seconds, verbose=not args.quiet, token_seconds=args.token_seconds,
        stream_words=args.stream_words, first_token_log=args.first_token_log,
    )
    fake.start()
    print(f"Fake LLM server ({fake.behaviour}) at {fake.base_url} (Ctrl-C to stop)", flush=True)
    try:
        fake.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
