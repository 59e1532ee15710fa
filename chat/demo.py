"""A deterministic demo corpus: conversations about 20 distinct topics, so semantic search visibly
finds the right one ("my sourdough is flat" -> baking, never tax returns)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

SEED = 20261123


@dataclass(frozen=True)
class Topic:
    title: str
    subjects: tuple[str, ...]
    questions: tuple[str, ...]
    answers: tuple[str, ...]


def _topic(title: str, subjects: str, questions: str, answers: str) -> Topic:
    return Topic(title, tuple(subjects.split("|")), tuple(questions.split("|")), tuple(answers.split("|")))


TOPICS = [
    _topic(
        "Sourdough baking",
        "my sourdough loaf|the starter|the dough|my rye bread|the crust",
        "Why is {s} so flat after baking?|How long should {s} proof in a cold kitchen?|"
        "Can I feed {s} with whole wheat flour?|What makes {s} dense and gummy inside?",
        "Let {s} rise until it has grown by half and feels airy before shaping.|"
        "A hotter oven with steam in the first twenty minutes gives {s} a better oven spring.|"
        "Feed {s} twice a day and keep the flour to water ratio equal by weight.|"
        "Underproofing is the usual reason {s} bakes up tight and heavy.",
    ),
    _topic(
        "Marathon training",
        "my long run|the weekly mileage|my knee|the taper|my pace",
        "How should I plan {s} before the marathon?|Is {s} too fast for a first race?|"
        "What do I do when {s} hurts after running?|How do I build up {s} safely?",
        "Increase {s} by no more than ten percent each week to avoid injury.|"
        "Keep {s} at an easy conversational effort most of the time.|"
        "Rest, ice and a shorter run help when {s} aches after training.|"
        "Three weeks of reduced running before race day is a typical schedule for {s}.",
    ),
    _topic(
        "Python debugging",
        "the traceback|my list comprehension|the import error|the unit test|my virtualenv",
        "Why does {s} raise a KeyError in Python?|How do I read {s} from pytest?|"
        "What causes {s} when the module exists?|Why is {s} failing only on CI?",
        "Run the code under pdb and inspect the variables where {s} happens.|"
        "Print the stack with traceback.format_exc to understand {s}.|"
        "Check sys.path and the package layout; {s} often comes from a missing __init__.py.|"
        "Pin the dependency versions so {s} behaves the same locally and in continuous integration.",
    ),
    _topic(
        "Houseplant care",
        "my monstera|the fiddle leaf fig|the succulent|my orchid|the snake plant",
        "Why are the leaves of {s} turning yellow?|How often should I water {s}?|"
        "Does {s} need direct sunlight?|When should I repot {s}?",
        "Yellow leaves on {s} usually mean overwatering; let the soil dry out first.|"
        "Bright indirect light keeps {s} healthy without scorching the leaves.|"
        "Repot {s} in spring into a pot one size larger with good drainage.|"
        "Water {s} only when the top few centimeters of potting mix are dry.",
    ),
    _topic(
        "Personal income tax",
        "my tax return|the deduction|the refund|my freelance income|the filing deadline",
        "Can I claim {s} for my home office expenses?|When will I receive {s} from the tax office?|"
        "How do I report {s} on the annual return?|What happens if I miss {s}?",
        "Keep receipts for every expense you list under {s} in case of an audit.|"
        "Self-employed earnings like {s} are declared on a separate schedule of the return.|"
        "Late filing fees apply when you miss {s}, so ask for an extension early.|"
        "Electronic filing usually brings {s} within a few weeks.",
    ),
    _topic(
        "Car maintenance",
        "the brake pads|my engine oil|the tire pressure|the car battery|the timing belt",
        "How often should I change {s}?|Why does my car squeal when I check {s}?|"
        "Is it safe to drive with worn {s}?|What does the warning light about {s} mean?",
        "Replace {s} according to the mileage in the owner's manual.|"
        "A grinding noise while braking means {s} should be inspected right away.|"
        "Check {s} monthly, when the tires are cold, for accurate readings.|"
        "A weak {s} makes the engine crank slowly on cold mornings.",
    ),
    _topic(
        "Dog training",
        "my puppy|the leash pulling|the recall command|my rescue dog|the crate",
        "How do I stop {s} from biting?|Why does {s} ignore me at the park?|"
        "How long does it take to train {s}?|How can I make {s} less anxious?",
        "Reward {s} with treats the moment the right behaviour happens.|"
        "Short daily sessions of five minutes work best for {s}.|"
        "Stop walking whenever there is tension, so {s} learns that a loose leash moves forward.|"
        "Make {s} a calm place with a blanket and never use it as punishment.",
    ),
    _topic(
        "Coffee brewing",
        "my espresso shot|the pour over|the grinder|the French press|my cold brew",
        "Why does {s} taste so bitter?|What grind size is right for {s}?|"
        "How much coffee should I use for {s}?|Why is {s} sour and thin?",
        "A finer grind and a longer extraction fix a sour {s}.|"
        "Use about sixty grams of beans per liter of water for {s}.|"
        "Bitterness in {s} comes from over-extraction; grind coarser or brew shorter.|"
        "Water just off the boil, around 94 degrees, suits {s}.",
    ),
    _topic(
        "Home networking",
        "my wifi router|the mesh network|the ethernet cable|my internet speed|the DNS server",
        "Why does {s} keep dropping the connection?|How do I make {s} faster upstairs?|"
        "Should I change the channel on {s}?|Why is {s} slow in the evening?",
        "Place {s} in a central, open spot away from microwaves and thick walls.|"
        "Switching to the 5 GHz band often helps {s} with congestion from neighbours.|"
        "Update the firmware of {s} and restart it to clear memory leaks.|"
        "Evening slowdowns of {s} often come from the provider's congested network.",
    ),
    _topic(
        "Guitar lessons",
        "the barre chord|my strumming pattern|the F major chord|my fingertips|the tuning",
        "Why does {s} buzz when I play?|How do I get better at {s}?|"
        "Why do {s} hurt after practice?|How long until {s} sounds clean?",
        "Press just behind the fret so {s} rings without buzzing.|"
        "Practice {s} slowly with a metronome and speed up gradually.|"
        "Sore {s} are normal for beginners; calluses form within a few weeks.|"
        "Check {s} with an electronic tuner before every practice session.",
    ),
    _topic(
        "Kubernetes deployments",
        "the pod|my deployment|the ingress|the helm chart|the liveness probe",
        "Why is {s} stuck in CrashLoopBackOff?|How do I roll back {s} in the cluster?|"
        "Why does {s} return 502 errors?|How should I configure {s} for zero downtime?",
        "Run kubectl describe and kubectl logs to see why {s} keeps restarting.|"
        "Use kubectl rollout undo to return {s} to the previous revision.|"
        "A readiness probe keeps traffic away from {s} until the container is ready.|"
        "Set resource requests and limits so the scheduler can place {s} on a node.",
    ),
    _topic(
        "Vegetable gardening",
        "my tomato plants|the raised bed|the compost|my zucchini|the seedlings",
        "Why are {s} wilting in the afternoon?|When should I plant {s} outside?|"
        "How do I keep slugs away from {s}?|What fertilizer is best for {s}?",
        "Water {s} deeply in the morning so the roots grow down.|"
        "Harden off {s} for a week before moving them into the garden.|"
        "Mulch around {s} keeps the soil moist and the weeds down.|"
        "Wait until the last frost has passed before you plant {s}.",
    ),
    _topic(
        "Learning Spanish",
        "the subjunctive|my pronunciation|the past tense|my vocabulary|the verb conjugation",
        "How do I finally understand {s} in Spanish?|What is the best way to practice {s}?|"
        "Why is {s} so confusing with irregular verbs?|How can I remember {s} longer?",
        "Learn {s} through example sentences rather than tables alone.|"
        "Speak with native speakers weekly to improve {s}.|"
        "Spaced repetition flashcards help {s} stick in long-term memory.|"
        "Listen to Spanish podcasts daily to train your ear for {s}.",
    ),
    _topic(
        "Mortgage and home buying",
        "the mortgage rate|my down payment|the home inspection|the closing costs|the loan pre-approval",
        "How much should I save for {s}?|Is a fixed or variable {s} better?|"
        "What does {s} usually cover when buying a house?|How long does {s} take?",
        "Lenders look at your credit score and income when they set {s}.|"
        "Plan for {s} of two to five percent of the purchase price.|"
        "A fixed {s} protects you if interest rates rise.|"
        "Never skip {s}; it reveals roof, plumbing and foundation problems.",
    ),
    _topic(
        "Sleep problems",
        "my insomnia|the bedtime routine|my sleep schedule|the afternoon nap|my snoring",
        "Why can't I fall asleep at night with {s}?|How can I fix {s} after travel?|"
        "Is {s} bad for sleeping well?|What helps with {s} naturally?",
        "Keep the same wake-up time every day to stabilize {s}.|"
        "Avoid screens and caffeine in the evening to help with {s}.|"
        "A cool, dark and quiet bedroom improves {s}.|"
        "If {s} lasts for weeks, talk to a doctor about a sleep study.",
    ),
    _topic(
        "Photography",
        "the aperture|my shutter speed|the ISO setting|my portrait photos|the night sky shot",
        "Why are {s} blurry?|What settings should I use for {s}?|"
        "How do I get a blurred background in {s}?|Why is {s} so noisy and grainy?",
        "A wide aperture like f/1.8 gives {s} a soft blurred background.|"
        "Use a tripod and a longer exposure for {s} in low light.|"
        "Keep {s} as low as possible to reduce grain in the image.|"
        "A shutter speed of at least 1/250 freezes motion in {s}.",
    ),
    _topic(
        "Climate and weather",
        "the heatwave|the hurricane season|the rainfall|the cold front|the air humidity",
        "What causes {s} this summer?|How do forecasters predict {s}?|"
        "Is climate change making {s} worse?|How should I prepare for {s}?",
        "Warmer ocean water gives {s} more energy and moisture.|"
        "Weather models combine satellite and balloon data to forecast {s}.|"
        "Keep water, food and a radio ready before {s} arrives.|"
        "Rising global temperatures make {s} more frequent and intense.",
    ),
    _topic(
        "Cooking pasta",
        "the carbonara|my tomato sauce|the fresh pasta dough|the risotto|my pesto",
        "How do I keep {s} from getting clumpy?|What is the secret to {s}?|"
        "Why is {s} too watery?|Should I add cream to {s}?",
        "Toss {s} with a splash of starchy pasta water to make it silky.|"
        "Use egg yolks and pecorino, not cream, for a real {s}.|"
        "Simmer {s} longer so the water evaporates and the flavour concentrates.|"
        "Salt the cooking water generously before adding {s}.",
    ),
    _topic(
        "Personal fitness and strength",
        "my squat|the deadlift|the bench press|my push-ups|the pull-up",
        "How do I improve {s} at the gym?|Why does my back hurt during {s}?|"
        "How many sets of {s} should I do?|How do I progress {s} as a beginner?",
        "Keep a neutral spine and brace your core during {s}.|"
        "Three sets of eight to twelve repetitions of {s} build strength and muscle.|"
        "Add a little weight to {s} each week while the form stays clean.|"
        "Film {s} from the side to check your technique.",
    ),
    _topic(
        "Space exploration",
        "the Mars rover|the rocket launch|the space station|the moon landing|the telescope",
        "How does {s} communicate with Earth?|Why was {s} delayed?|"
        "What has {s} discovered so far?|How much fuel does {s} need?",
        "Radio signals from {s} take minutes to travel to mission control.|"
        "Launch windows and weather decide when {s} can happen.|"
        "Solar panels and batteries keep {s} powered in orbit.|"
        "Images from {s} revealed water ice and ancient riverbeds.",
    ),
]

FILLERS = (
    "",
    " Thanks in advance.",
    " I tried a few things already.",
    " This is my first time.",
    " Any tips are welcome.",
    " It happened again this week.",
)


def conversation_title(index: int) -> str:
    topic = TOPICS[index % len(TOPICS)]
    return f"{topic.title} #{index // len(TOPICS) + 1}"


def demo_messages(index: int, count: int) -> Iterator[tuple[str, str]]:
    """(role, content) pairs of conversation `index`: the same every run."""
    topic = TOPICS[index % len(TOPICS)]
    rng = random.Random(SEED + index)
    yield "system", f"You are a helpful assistant who answers questions about {topic.title.lower()}."
    for turn in range(count - 1):
        subject = rng.choice(topic.subjects)
        if turn % 2 == 0:
            yield "user", rng.choice(topic.questions).format(s=subject) + rng.choice(FILLERS)
        else:
            yield "assistant", rng.choice(topic.answers).format(s=subject)
