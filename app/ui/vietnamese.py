"""Qt itself in Vietnamese: its own dialogs, buttons, context menus and calendars.

Whatever the computer's language, the window speaks Vietnamese:

* :func:`install` sets the default :class:`QLocale` to Vietnamese (Vietnam), so calendar
  popups name the months and days in Vietnamese and numbers use "," and ".";
* Qt's own translation ``qtbase_vi.qm`` is loaded from PySide6's translations folder
  (``QLibraryInfo.TranslationsPath``) when it is there. Qt does not ship one (PySide6
  6.11 has none, in PySide6-Essentials or the full wheel), so :class:`QtVietnamese`
  translates the texts Qt shows in this program — standard buttons (OK, Cancel, Yes,
  No, Save, Close…), the line and text edits' right-click menu, the file dialog, the
  message box's "Show Details…", the calendar's tooltips.

Our own texts are Vietnamese already; Qt's texts arrive through ``translate()``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

# Qt source text → Vietnamese. Keys keep Qt's "&" mnemonics; where Qt has the same text
# with and without one, both are listed.
QT_VI: dict[str, str] = {
    # standard buttons (QPlatformTheme)
    "OK": "Đồng ý",
    "&OK": "&Đồng ý",
    "Cancel": "Hủy",
    "&Cancel": "&Hủy",
    "Save": "Lưu",
    "&Save": "&Lưu",
    "Save All": "Lưu tất cả",
    "Open": "Mở",
    "&Open": "&Mở",
    "Close": "Đóng",
    "&Close": "&Đóng",
    "Discard": "Bỏ",
    "Don't Save": "Không lưu",
    "Close without Saving": "Đóng không lưu",
    "Apply": "Áp dụng",
    "Reset": "Đặt lại",
    "Restore Defaults": "Khôi phục mặc định",
    "Help": "Trợ giúp",
    "Yes": "Có",
    "&Yes": "&Có",
    "Yes to &All": "Có với &tất cả",
    "Yes to All": "Có với tất cả",
    "No": "Không",
    "&No": "&Không",
    "N&o to All": "&Không với tất cả",
    "No to All": "Không với tất cả",
    "Abort": "Dừng",
    "Retry": "Thử lại",
    "Ignore": "Bỏ qua",
    "Show Details...": "Xem chi tiết…",
    "Hide Details...": "Ẩn chi tiết…",
    # the right-click menu of text fields (QLineEdit, QWidgetTextControl)
    "&Undo": "&Hoàn tác",
    "&Redo": "&Làm lại",
    "Cu&t": "&Cắt",
    "&Copy": "&Sao chép",
    "Copy &Link Location": "Sao chép địa chỉ &liên kết",
    "&Paste": "&Dán",
    "Delete": "Xóa",
    "&Delete": "&Xóa",
    "Select All": "Chọn tất cả",
    "&Select All": "&Chọn tất cả",
    # spin boxes
    "&Step up": "&Tăng",
    "Step &down": "&Giảm",
    # the file dialog (QFileDialog, QFileSystemModel)
    "Look in:": "Thư mục:",
    "&Look in:": "&Thư mục:",
    "File &name:": "&Tên tệp:",
    "File name:": "Tên tệp:",
    "Files of type:": "Loại tệp:",
    "Files of &type:": "&Loại tệp:",
    "&Choose": "&Chọn",
    "Choose": "Chọn",
    "All Files (*)": "Mọi tệp (*)",
    "Directories": "Thư mục",
    "Directory:": "Thư mục:",
    "Back": "Lùi",
    "Forward": "Tới",
    "Go back": "Quay lại",
    "Go forward": "Đi tiếp",
    "Parent Directory": "Thư mục cha",
    "Go to the parent directory": "Lên thư mục cha",
    "Create New Folder": "Tạo thư mục mới",
    "Create a New Folder": "Tạo một thư mục mới",
    "&New Folder": "Thư mục &mới",
    "New Folder": "Thư mục mới",
    "&Rename": "Đổi &tên",
    "Show &hidden files": "Hiện tệp &ẩn",
    "List View": "Dạng danh sách",
    "Detail View": "Dạng chi tiết",
    "Change to list view mode": "Xem dạng danh sách",
    "Change to detail view mode": "Xem dạng chi tiết",
    "List of places and bookmarks": "Các nơi và dấu trang",
    "Sidebar": "Thanh bên",
    "Files": "Tệp",
    "Computer": "Máy tính",
    "My Computer": "Máy tính",
    "Name": "Tên",
    "Size": "Kích thước",
    "Type": "Loại",
    "Kind": "Loại",
    "Date Modified": "Ngày sửa",
    "Drive": "Ổ đĩa",
    "Folder": "Thư mục",
    "File": "Tệp",
    "File Folder": "Thư mục",
    "Unknown": "Không rõ",
    "Are you sure you want to delete '%1'?": "Xóa “%1”?",
    "Could not delete directory.": "Không xóa được thư mục.",
    "%1 already exists.\nDo you want to replace it?": "%1 đã có.\nGhi đè lên tệp đó?",
    "%1\nFile not found.\nPlease verify the correct file name was given.": (
        "%1\nKhông thấy tệp.\nHãy kiểm tra lại tên tệp."
    ),
    "%1\nDirectory not found.\nPlease verify the correct directory name was given.": (
        "%1\nKhông thấy thư mục.\nHãy kiểm tra lại tên thư mục."
    ),
    "Find Directory": "Chọn thư mục",
    "Save As": "Lưu thành",
    # the print dialog (QPrintDialog, QUnixPrintWidget) where the system has none of its own
    "Print": "In",
    "&Print": "&In",
    "Printer": "Máy in",
    "&Name:": "&Tên:",
    "P&roperties": "&Thuộc tính",
    "Location:": "Vị trí:",
    "Type:": "Loại:",
    "Preview": "Xem trước",
    "&Options >>": "&Tùy chọn >>",
    "&Options <<": "&Tùy chọn <<",
    "Options": "Tùy chọn",
    "Output &file:": "&Tệp đầu ra:",
    "Output Settings": "Thiết lập in",
    "Print to File (PDF)": "In ra tệp (PDF)",
    "Local file": "Tệp trên máy",
    "Write PDF file": "Ghi tệp PDF",
    "Print range": "Phạm vi in",
    "Print all": "In tất cả",
    "Pages from": "Các trang từ",
    "to": "đến",
    "Pages": "Trang",
    "Current Page": "Trang đang xem",
    "Selection": "Vùng chọn",
    "Page &Set:": "&Nhóm trang:",
    "All Pages": "Tất cả các trang",
    "Odd Pages": "Trang lẻ",
    "Even Pages": "Trang chẵn",
    "Copies": "Số bản",
    "Copies:": "Số bản:",
    "Collate": "Sắp bộ",
    "Reverse": "In ngược",
    "Color Mode": "Chế độ màu",
    "Color": "Màu",
    "Grayscale": "Đen trắng",
    "Double Sided Printing": "In hai mặt",
    "Off": "Tắt",
    "Long side binding": "Lật theo cạnh dài",
    "Short side binding": "Lật theo cạnh ngắn",
    "Specify pages or ranges separated by commas. Ranges are specified by two numbers "
    "separated by a hyphen. E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.": (
        "Ghi các trang hoặc khoảng trang, cách nhau bằng dấu phẩy; khoảng trang là hai số "
        "nối bằng gạch ngang. Ví dụ: 3,5-7,9 in các trang 3, 5, 6, 7 và 9."
    ),
    "Paper": "Giấy",
    "Page size:": "Khổ giấy:",
    "Orientation": "Hướng giấy",
    "Portrait": "Dọc",
    "Landscape": "Ngang",
    "Margins": "Lề",
    # the calendar popup (QCalendarWidget)
    "Previous Month": "Tháng trước",
    "Next Month": "Tháng sau",
    "Today": "Hôm nay",
    "Week": "Tuần",
}

VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


class QtVietnamese(QTranslator):
    """Vietnamese for the texts Qt's own widgets show (see :data:`QT_VI`)."""

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:  # None: "not translated here", Qt keeps looking
        return QT_VI.get(source_text)

    def isEmpty(self) -> bool:
        return False


_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators


def qt_translation_file() -> QTranslator | None:
    """Qt's own Vietnamese translation, when the installed Qt ships one."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_vi", "qt_vi"):
        translator = QTranslator()
        if translator.load(name, folder):
            return translator
    return None


def install(app: QCoreApplication) -> list[QTranslator]:
    """Vietnamese locale and translators for ``app``; returns what was installed."""
    QLocale.setDefault(VIETNAMESE)
    ours = QtVietnamese(app)
    app.installTranslator(ours)
    installed: list[QTranslator] = [ours]
    shipped = qt_translation_file()
    if shipped is not None:  # installed last, so asked first: Qt's own wins where it has one
        app.installTranslator(shipped)
        installed.append(shipped)
    _installed.extend(installed)
    return installed


def uninstall(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Undo :func:`install` (tests)."""
    for translator in translators:
        app.removeTranslator(translator)
        if translator in _installed:
            _installed.remove(translator)
