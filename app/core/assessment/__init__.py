"""The yearly cycle: criteria sets as data, the scoring engine, cycle services, targets."""

MODELS: dict[str, str] = {
    "learning_family": "Gia đình học tập",
    "learning_clan": "Dòng họ học tập",
    "learning_community": "Cộng đồng học tập (cấp thôn)",
    "learning_unit": "Đơn vị học tập",
    "learning_citizen": "Công dân học tập",
    "commune_learning_community": "Cộng đồng học tập cấp xã",
}

# The five yearly models of the dashboard (the commune's own title is separate).
CYCLE_MODELS: tuple[str, ...] = (
    "learning_family",
    "learning_clan",
    "learning_community",
    "learning_unit",
    "learning_citizen",
)
