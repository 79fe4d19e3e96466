"""Questions the chat benchmarks send: realistic, a third of them answered with a chart."""

QUESTIONS = (
    "median annual wage of registered nurses in Seattle",
    "what do electricians make in Texas?",
    "top 10 highest paying occupations in Texas",
    "compare electricians in Texas and Ohio",
    "how has software developer pay changed since 2021?",
    "90th percentile wage for accountants in New York",
    "how many software developers work in California?",
    "median hourly wage of janitors in Ohio",
    "what do plumbers earn in Chicago?",
    "mean wage of teachers in Boston",
)
