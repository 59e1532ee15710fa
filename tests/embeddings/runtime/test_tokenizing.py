"""embeddings.runtime.tokenizing: one text through encode(), several through encode_batch(), same tokens."""

from tokenizers import Tokenizer, models, pre_tokenizers

from embeddings.runtime.tokenizing import encode_texts


def word_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "hello": 1, "world": 2}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer


class Recording:
    def __init__(self) -> None:
        self.tokenizer, self.calls = word_tokenizer(), []

    def encode(self, text):
        self.calls.append("encode")
        return self.tokenizer.encode(text)

    def encode_batch(self, texts):
        self.calls.append("encode_batch")
        return self.tokenizer.encode_batch(texts)


def test_one_text_is_encoded_alone_and_more_in_one_batch_call():
    recording = Recording()

    (one,) = encode_texts(recording, ["hello world"])
    several = encode_texts(recording, ["hello", "world hello there"])

    assert recording.calls == ["encode", "encode_batch"]
    assert one.ids == [1, 2]
    assert [item.ids for item in several] == [[1], [2, 1, 0]]


def test_either_way_gives_the_batch_calls_tokens():
    tokenizer = word_tokenizer()
    texts = ["hello there world", "world"]
    batch = [item.ids for item in tokenizer.encode_batch(texts)]
    assert [encode_texts(tokenizer, [text])[0].ids for text in texts] == batch
    assert encode_texts(tokenizer, []) == []
