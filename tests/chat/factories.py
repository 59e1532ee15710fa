import factory

from chat.models import Conversation, Message, Role


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    title = factory.Sequence(lambda n: f"Conversation {n}")
    metadata = factory.LazyFunction(dict)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Role.USER
    content = factory.Sequence(lambda n: f"message number {n}")
