; Vietnamese wording of the Sổ Khuyến Học installer, loaded after Inno Setup's own messages
; (installer.iss, [Languages]): it overrides the pages a secretary sees and adds our messages.
; Written for this project; keep it UTF-8 with a byte-order mark.

[LangOptions]
LanguageName=Tiếng Việt
LanguageID=$042A
LanguageCodePage=1258

[Messages]
SetupAppTitle=Cài đặt
SetupWindowTitle=Cài đặt %1
UninstallAppTitle=Gỡ bỏ
UninstallAppFullTitle=Gỡ bỏ %1
InformationTitle=Thông báo
ConfirmTitle=Xác nhận
ErrorTitle=Lỗi

ButtonBack=< &Quay lại
ButtonNext=&Tiếp >
ButtonInstall=&Cài đặt
ButtonOK=Đồng ý
ButtonCancel=Hủy
ButtonYes=&Có
ButtonNo=&Không
ButtonFinish=&Xong
ButtonBrowse=&Chọn...
ButtonWizardBrowse=C&họn...
ButtonNewFolder=&Tạo thư mục mới

ClickNext=Bấm "Tiếp" để tiếp tục, hoặc "Hủy" để thoát.
ExitSetupTitle=Thoát cài đặt
ExitSetupMessage=Chương trình chưa được cài xong. Nếu thoát bây giờ, chương trình sẽ không được cài.%n%nBạn có thể chạy lại tệp cài đặt lúc khác.%n%nThoát cài đặt?

WelcomeLabel1=Cài đặt [name]
WelcomeLabel2=Tệp này sẽ cài [name/ver] vào máy tính, chỉ cho tài khoản của bạn (không cần quyền quản trị).%n%nDữ liệu của Hội được giữ trong một thư mục riêng: cài lại hay nâng cấp đều không làm mất dữ liệu.

WizardSelectDir=Chọn nơi cài đặt
SelectDirDesc=Cài [name] vào đâu?
SelectDirLabel3=Chương trình sẽ được cài vào thư mục sau.
SelectDirBrowseLabel=Bấm "Tiếp" để tiếp tục. Muốn chọn thư mục khác, bấm "Chọn...".
DiskSpaceMBLabel=Cần ít nhất [mb] MB dung lượng trống.

WizardSelectTasks=Chọn thêm
SelectTasksDesc=Bạn muốn cài đặt làm thêm việc gì?
SelectTasksLabel2=Chọn các việc sau rồi bấm "Tiếp".

WizardReady=Sẵn sàng cài đặt
ReadyLabel1=Đã sẵn sàng cài [name] vào máy tính.
ReadyLabel2a=Bấm "Cài đặt" để bắt đầu, hoặc "Quay lại" để xem lại.
ReadyLabel2b=Bấm "Cài đặt" để bắt đầu.
ReadyMemoDir=Thư mục cài đặt:
ReadyMemoTasks=Việc làm thêm:

WizardPreparing=Chuẩn bị cài đặt
PreparingDesc=Đang chuẩn bị cài [name] vào máy tính.
ApplicationsFound=Các chương trình sau đang dùng những tệp cần thay. Nên để trình cài đặt tự đóng chúng.
ApplicationsFound2=Các chương trình sau đang dùng những tệp cần thay. Nên để trình cài đặt tự đóng chúng; cài xong, chúng sẽ được mở lại.
CloseApplications=&Tự đóng các chương trình này
DontCloseApplications=&Không đóng
ErrorCloseApplications=Không tự đóng được mọi chương trình. Hãy đóng Sổ Khuyến Học rồi bấm "Tiếp".
SetupAppRunningError=Sổ Khuyến Học đang mở.%n%nHãy đóng chương trình rồi bấm "Đồng ý" để tiếp tục, hoặc "Hủy" để thoát.
UninstallAppRunningError=Sổ Khuyến Học đang mở.%n%nHãy đóng chương trình rồi bấm "Đồng ý" để tiếp tục, hoặc "Hủy" để thoát.

WizardInstalling=Đang cài đặt
InstallingLabel=Xin chờ trong khi [name] được cài vào máy tính.

FinishedHeadingLabel=Đã cài xong [name]
FinishedLabelNoIcons=Đã cài xong [name].
FinishedLabel=Đã cài xong [name]. Mở chương trình bằng biểu tượng "Sổ Khuyến Học" trên màn hình hoặc trong menu Start.
ClickFinish=Bấm "Xong" để đóng trình cài đặt.
RunEntryExec=Mở %1 ngay

ConfirmUninstall=Gỡ bỏ chương trình %1?%n%nDữ liệu của Hội (sổ sách, bản sao lưu) KHÔNG bị xóa.
UninstallStatusLabel=Xin chờ trong khi %1 được gỡ khỏi máy tính.
UninstalledAll=Đã gỡ xong %1.
UninstalledMost=Đã gỡ xong %1.%n%nCòn vài tệp không xóa được, bạn có thể tự xóa.
WizardUninstalling=Đang gỡ bỏ
StatusUninstalling=Đang gỡ %1...

[CustomMessages]
AdditionalIcons=Biểu tượng:
CreateDesktopIcon=Tạo biểu tượng trên &màn hình
LaunchProgram=Mở %1 ngay
UninstallProgram=Gỡ bỏ %1
AppComment=Sổ sách của Hội Khuyến học
OpenDataFolder=Thư mục dữ liệu Sổ Khuyến Học
DataKept=Dữ liệu của Hội vẫn được giữ nguyên tại:%n%n%1%n%nCài lại Sổ Khuyến Học sẽ mở lại đúng dữ liệu này. Nếu không cần nữa, bạn có thể tự xóa thư mục đó (nên sao lưu trước).
