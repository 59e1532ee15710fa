"""Token-id decoding and the reject-overflow check of the worker, with a fake encoder."""

import pytest

from embeddings.worker.serving import InputRejected, check_lengths, texts_from_token_ids


class WordEncoder:
    """Token id i is the i-th word of a ten-word vocabulary."""

    vocabulary = "the cat sat on a mat dog ran far away".split()
    vocabulary_size = len(vocabulary)

    def decode(self, token_ids):
        return " ".join(self.vocabulary[token_id] for token_id in token_ids)


def test_token_ids_are_decoded_with_the_model_tokenizer():
    assert texts_from_token_ids(WordEncoder(), [[0, 1, 2], [6, 7]]) == ["the cat sat", "dog ran"]


def test_token_ids_outside_the_vocabulary_are_refused_with_their_index():
    with pytest.raises(
        InputRejected,
        match=r"^input\[1\] has token id 10, outside this model's vocabulary "
        r"\(0 to 9\)$",
    ):
        texts_from_token_ids(WordEncoder(), [[0], [3, 10]])


def test_inputs_within_the_limit_pass():
    check_lengths([3, 256, 1], 256)


def test_the_first_input_over_the_limit_is_named():
    with pytest.raises(
        InputRejected,
        match=r"^input\[2\] has 300 tokens, more than this model's limit of 256 "
        r"tokens; shorten it",
    ):
        check_lengths([3, 256, 300, 400], 256)
