"""max_tokens and stop_sequences cut the same deterministic reply short, as the API does."""
from __future__ import annotations

MODEL = "claude-haiku-4-5"
MESSAGES = [{"role": "user", "content": "Tell me something about rivers and mountains"}]


def text_of(message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def test_max_tokens_truncates_the_reply(client):
    full = client.messages.create(model=MODEL, max_tokens=1000, messages=MESSAGES)
    short = client.messages.create(model=MODEL, max_tokens=10, messages=MESSAGES)
    assert short.stop_reason == "max_tokens"
    assert short.usage.output_tokens <= 10
    assert text_of(full).startswith(text_of(short)) and len(text_of(short)) < len(text_of(full))
    with client.messages.stream(model=MODEL, max_tokens=10, messages=MESSAGES) as stream:
        streamed = stream.get_final_message()
    assert streamed.stop_reason == "max_tokens" and text_of(streamed) == text_of(short)


def test_stop_sequence_cuts_at_first_occurrence(client):
    full_text = text_of(client.messages.create(model=MODEL, max_tokens=1000, messages=MESSAGES))
    assert " the " in full_text  # every stock sentence has common words
    stopped = client.messages.create(model=MODEL, max_tokens=1000, messages=MESSAGES,
                                     stop_sequences=["zzz-never", " the "])
    assert stopped.stop_reason == "stop_sequence"
    assert stopped.stop_sequence == " the "
    assert text_of(stopped) == full_text[: full_text.index(" the ")]
    assert stopped.usage.output_tokens < client.messages.create(
        model=MODEL, max_tokens=1000, messages=MESSAGES).usage.output_tokens


def test_stop_sequence_in_stream(client):
    with client.messages.stream(model=MODEL, max_tokens=1000, messages=MESSAGES, stop_sequences=["and"]) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "stop_sequence" and final.stop_sequence == "and"
    assert "and" not in text_of(final)


def test_stop_sequence_not_found_ends_turn(client):
    message = client.messages.create(model=MODEL, max_tokens=1000, messages=MESSAGES, stop_sequences=["@@@"])
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
