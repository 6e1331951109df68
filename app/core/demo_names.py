"""Name and place data for the demo commune (:mod:`app.core.demo`).

Invented combinations of common Vietnamese names and place words; the people of
the demo commune are generated from these lists and are not real people.
Weights are rough shares in the Red River Delta (Hưng Yên), where the demo
commune lies: Hoàng and Vũ far more than Huỳnh and Võ.
"""

from __future__ import annotations

# (family name, weight in percent). Nguyễn ≈ 38 %.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 8.5),
    ("Phạm", 7.0),
    ("Hoàng", 4.2),
    ("Vũ", 4.0),
    ("Phan", 3.0),
    ("Đặng", 2.2),
    ("Bùi", 2.2),
    ("Đỗ", 2.0),
    ("Ngô", 1.4),
    ("Hồ", 1.0),
    ("Dương", 1.1),
    ("Đinh", 1.1),
    ("Đào", 1.1),
    ("Trịnh", 0.9),
    ("Lương", 0.7),
    ("Mai", 0.6),
    ("Đoàn", 0.7),
    ("Lý", 0.5),
    ("Cao", 0.5),
    ("Tạ", 0.5),
    ("Chu", 0.5),
    ("Phùng", 0.5),
    ("Vương", 0.3),
    ("Huỳnh", 0.4),
    ("Võ", 0.4),
    ("Nghiêm", 0.3),
    ("Khúc", 0.2),
    ("Lã", 0.2),
    ("Triệu", 0.3),
    ("Quách", 0.2),
    ("Kiều", 0.2),
    ("Âu", 0.1),
    ("Ưng", 0.05),
)

# Middle names: older generations mostly Văn / Thị, younger ones more varied.
MALE_MIDDLE_OLD: tuple[tuple[str, float], ...] = (
    ("Văn", 60.0),
    ("Đức", 7.0),
    ("Hữu", 6.0),
    ("Đình", 6.0),
    ("Xuân", 4.0),
    ("Quang", 3.0),
    ("Công", 3.0),
    ("Bá", 2.0),
    ("Ngọc", 2.0),
    ("Minh", 2.0),
    ("Trọng", 2.0),
    ("Thế", 1.5),
    ("Khắc", 1.5),
)
MALE_MIDDLE_YOUNG: tuple[tuple[str, float], ...] = (
    ("Văn", 22.0),
    ("Đức", 10.0),
    ("Minh", 12.0),
    ("Quang", 7.0),
    ("Hữu", 5.0),
    ("Thanh", 5.0),
    ("Tiến", 4.0),
    ("Mạnh", 4.0),
    ("Duy", 5.0),
    ("Gia", 6.0),
    ("Bảo", 6.0),
    ("Anh", 4.0),
    ("Hoàng", 4.0),
    ("Trung", 3.0),
    ("Đăng", 3.0),
)
FEMALE_MIDDLE_OLD: tuple[tuple[str, float], ...] = (
    ("Thị", 88.0),
    ("Ngọc", 3.0),
    ("Thu", 2.0),
    ("Thanh", 2.0),
    ("Kim", 2.0),
    ("Hồng", 2.0),
    ("Minh", 1.0),
)
FEMALE_MIDDLE_YOUNG: tuple[tuple[str, float], ...] = (
    ("Thị", 38.0),
    ("Ngọc", 8.0),
    ("Thu", 7.0),
    ("Thanh", 5.0),
    ("Phương", 6.0),
    ("Khánh", 5.0),
    ("Minh", 5.0),
    ("Thùy", 5.0),
    ("Bảo", 5.0),
    ("Hồng", 3.0),
    ("Diệu", 3.0),
    ("Mai", 3.0),
    ("Hải", 3.0),
    ("Quỳnh", 2.0),
)

MALE_GIVEN: tuple[str, ...] = (
    "An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương",
    "Đạt", "Đức", "Định", "Đông", "Giang", "Hải", "Hậu", "Hiếu", "Hiển", "Hòa",
    "Hoàng", "Hùng", "Huy", "Hưng", "Hướng", "Khang", "Khánh", "Khải", "Khoa", "Kiên",
    "Lâm", "Lộc", "Lợi", "Long", "Lực", "Mạnh", "Minh", "Nam", "Nghĩa", "Ngọc",
    "Nhân", "Phong", "Phúc", "Phương", "Quân", "Quang", "Quý", "Sơn", "Tài", "Tâm",
    "Thắng", "Thành", "Thịnh", "Thuận", "Tiến", "Toàn", "Trọng", "Trung", "Tú", "Tuấn",
    "Tùng", "Văn", "Việt", "Vinh", "Vũ", "Ước", "Ơn", "Xuân", "Khiêm", "Đoàn",
    "Thường", "Sáng", "Lượng", "Độ", "Bằng", "Chương", "Điệp", "Hạnh", "Quyết", "Thọ",
)  # fmt: skip
FEMALE_GIVEN: tuple[str, ...] = (
    "An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Cúc", "Dung", "Duyên", "Đào",
    "Điệp", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ", "Huyền",
    "Hương", "Hường", "Lan", "Liên", "Linh", "Loan", "Lụa", "Lý", "Mai", "My",
    "Nga", "Ngân", "Ngọc", "Nhung", "Nhài", "Oanh", "Phượng", "Quyên", "Quỳnh", "Sen",
    "Tâm", "Thảo", "Thắm", "Thơm", "Thu", "Thủy", "Thúy", "Trang", "Tuyết", "Uyên",
    "Vân", "Xuân", "Yến", "Ơn", "Ưng", "Đông", "Hậu", "Nguyệt", "Thoa", "Hoài",
    "Gấm", "Lựu", "Mận", "Nụ", "Thư", "Trâm", "Vy", "Khuê", "Ngà", "Dịu",
)  # fmt: skip

# Middle names of clan lineages ("Họ Nguyễn Đình", "Họ Trần Văn").
LINEAGE_MIDDLES: tuple[str, ...] = (
    "Đình", "Văn", "Hữu", "Đức", "Xuân", "Bá", "Công", "Quang", "Trọng", "Thế",
    "Khắc", "Như", "Tiến", "Ngọc", "Doãn", "Danh", "Viết", "Huy", "Kim", "Quốc",
)  # fmt: skip

# Hamlet names: "Thôn Đông", "Xóm Bến", "Thôn Trung Hòa", "Tổ dân phố 3".
HAMLET_SINGLE: tuple[str, ...] = (
    "Đông", "Đoài", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Chợ", "Đình", "Chùa",
    "Giữa", "Cầu", "Đồng", "Ngoài", "Trong", "Mới", "Bãi", "Gốm", "Dâu", "Mít",
)  # fmt: skip
XOM_SINGLE: tuple[str, ...] = (
    "Bến", "Trại", "Đồi", "Đầm", "Ao", "Giếng", "Vạn", "Gạch", "Rền", "Chài",
)  # fmt: skip
PLACE_FIRST: tuple[str, ...] = (
    "An", "Bình", "Phú", "Hòa", "Tân", "Đông", "Tây", "Nam", "Bắc", "Trung",
    "Thượng", "Hạ", "Vĩnh", "Xuân", "Đại", "Lạc", "Mỹ", "Ngọc", "Yên", "Hưng",
    "Phúc", "Thọ", "Đức", "Kim", "Thanh", "Quang", "Hồng", "Văn", "Lương", "Thái",
    "Tiên", "Đồng", "Cẩm", "Nghĩa", "Hàm", "Tử", "Dạ", "Ông", "Bảo", "Ninh",
)  # fmt: skip
PLACE_SECOND: tuple[str, ...] = (
    "Hòa", "Lạc", "Phú", "Thịnh", "An", "Bình", "Xá", "Lộc", "Tiến", "Hưng",
    "Trạch", "Vũ", "Khê", "Cầu", "Trì", "Lão", "Xuyên", "Mai", "Lâm", "Điền",
    "Nội", "Ngoại", "Kết", "Tảo", "Châu", "Dương", "Quế", "Tháp", "Lễ", "Thuận",
    "Đông", "Đoài", "Minh", "Thành", "Hạ", "Thượng", "Trung", "Nhuận", "Viên", "Ốc",
)  # fmt: skip

# Brand-like words for enterprises and cooperatives.
BRANDS: tuple[str, ...] = (
    "Hưng Thịnh", "Minh Phát", "Phú An", "Thành Đạt", "Việt Hưng", "Tân Tiến", "Đức Anh",
    "Hoàng Long", "Quang Minh", "An Khánh", "Bảo Châu", "Thuận Phát", "Đại Dương", "Nam Việt",
)  # fmt: skip
ENTERPRISE_PATTERNS: tuple[str, ...] = (
    "Công ty TNHH May {b}",
    "Công ty Cổ phần Gạch Tuynel {b}",
    "Công ty TNHH Cơ khí {b}",
    "Công ty TNHH Chế biến nông sản {b}",
    "Công ty TNHH Nhựa {b}",
    "Doanh nghiệp tư nhân Vận tải {b}",
    "Công ty Cổ phần Thức ăn chăn nuôi {b}",
    "Công ty TNHH Điện tử {b}",
    "Công ty TNHH Giày da {b}",
    "Công ty TNHH Xây dựng {b}",
)

LEAVE_REASONS: tuple[str, ...] = (
    "Chuyển đi nơi khác",
    "Tuổi cao, sức yếu",
    "Xin ra khỏi Hội",
    "Đi làm ăn xa",
)

# Mobile prefixes (10 digits in all): Viettel 03x, 05x, Mobifone 07x, Vinaphone 08x, 09x.
PHONE_PREFIXES: tuple[str, ...] = (
    "032", "033", "034", "035", "036", "037", "038", "039", "056", "058",
    "070", "076", "077", "078", "079", "081", "082", "083", "084", "085",
    "086", "088", "089", "090", "091", "093", "094", "096", "097", "098",
)  # fmt: skip

# CCCD place-of-birth codes of neighbouring provinces (old codes stay valid).
CCCD_OTHER_PLACES: tuple[str, ...] = (
    "001", "022", "027", "030", "031", "034", "035", "036", "038", "040", "079",
)  # fmt: skip

# Occupations, weighted, by group.
JOBS_MALE: tuple[tuple[str, float], ...] = (
    ("Làm ruộng", 24.0),
    ("Công nhân", 22.0),
    ("Thợ xây", 8.0),
    ("Lao động tự do", 8.0),
    ("Buôn bán", 5.0),
    ("Lái xe", 5.0),
    ("Kinh doanh", 4.0),
    ("Chăn nuôi", 3.0),
    ("Thợ mộc", 3.0),
    ("Thợ cơ khí", 3.0),
    ("Xuất khẩu lao động", 3.0),
    ("Giáo viên", 2.5),
    ("Kỹ sư", 1.5),
    ("Cán bộ xã", 1.2),
    ("Công chức", 1.3),
    ("Bộ đội", 1.5),
    ("Công an", 1.0),
    ("Y sĩ", 0.5),
)
JOBS_FEMALE: tuple[tuple[str, float], ...] = (
    ("Làm ruộng", 24.0),
    ("Công nhân", 25.0),
    ("Buôn bán", 10.0),
    ("Nội trợ", 8.0),
    ("Thợ may", 6.0),
    ("Lao động tự do", 6.0),
    ("Giáo viên", 5.0),
    ("Kinh doanh", 4.0),
    ("Chăn nuôi", 3.0),
    ("Kế toán", 2.0),
    ("Xuất khẩu lao động", 2.0),
    ("Y tá", 1.5),
    ("Cán bộ xã", 1.0),
    ("Công chức", 1.0),
)
JOBS_OLD: tuple[tuple[str, float], ...] = (
    ("Làm ruộng", 40.0),
    ("Hưu trí", 28.0),
    ("Nội trợ", 10.0),
    ("Chăn nuôi", 8.0),
    ("Buôn bán", 5.0),
    ("Lao động tự do", 4.0),
)
JOBS_TEEN: tuple[tuple[str, float], ...] = (
    ("Công nhân", 50.0),
    ("Lao động tự do", 30.0),
    ("Làm ruộng", 20.0),
)
# Jobs that need college or university.
PROFESSIONAL_JOBS: frozenset[str] = frozenset(
    {"Giáo viên", "Kỹ sư", "Công chức", "Y sĩ", "Kế toán", "Cán bộ xã"}
)

# Highest school level of adults by birth cohort: (born before, ((level, weight), ...)).
LEVELS_BY_COHORT: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = (
    (1960, (("none", 8), ("primary", 35), ("lower_secondary", 40), ("upper_secondary", 12),
            ("vocational", 3), ("college", 1), ("university", 1))),
    (1980, (("none", 2), ("primary", 12), ("lower_secondary", 45), ("upper_secondary", 28),
            ("vocational", 6), ("college", 3), ("university", 4))),
    (1995, (("primary", 4), ("lower_secondary", 28), ("upper_secondary", 40),
            ("vocational", 10), ("college", 7), ("university", 10), ("postgraduate", 1))),
    (9999, (("primary", 1), ("lower_secondary", 12), ("upper_secondary", 45),
            ("vocational", 12), ("college", 10), ("university", 19), ("postgraduate", 1))),
)  # fmt: skip
