; Inno Setup 6 script: the Windows installer of Sổ Khuyến Học.
;
; Build the frozen app first (packaging/README.md), then from the repository root:
;     iscc packaging\installer.iss
; Result: dist\installer\SoKhuyenHoc-<version>-Setup.exe
;
; Design (see packaging/README.md):
;  * per-user install, no administrator rights: PrivilegesRequired=lowest, so {autopf} is
;    {userpf} = %LOCALAPPDATA%\Programs and shortcuts go to the user's Start menu and desktop;
;  * the program folder holds only the program. The data (database, backups) lives in
;    %LOCALAPPDATA%\SoKhuyenHoc (platformdirs' user data folder): the installer only creates
;    it empty (for the "data folder" shortcut), never writes into it, and the uninstaller
;    never deletes it; it only tells the user where the data stays;
;  * upgrading = running a newer Setup: same AppId, same folder, the running program is closed
;    first, the old program files are replaced, and the data is left alone. On its next start
;    the program backs the database up (backups\truoc-nang-cap-*.sqlite3) and migrates it.
;
; This file must stay UTF-8 with a byte-order mark (Vietnamese text).

#define AppName "Sổ Khuyến Học"
#define AppPublisher "Hội Khuyến học"
#define AppDirName "SoKhuyenHoc"
#define AppExeName "SoKhuyenHoc.exe"
#define CliExeName "khuyenhoc.exe"
; platformdirs.user_data_dir("SoKhuyenHoc", appauthor=False, roaming=False) on Windows:
#define DataDirName "SoKhuyenHoc"
#define DistDir "..\dist\SoKhuyenHoc"

#if !FileExists(AddBackslash(SourcePath) + DistDir + "\" + AppExeName)
  #error "dist\SoKhuyenHoc\SoKhuyenHoc.exe not found: run pyinstaller packaging\khuyenhoc.spec first"
#endif

; The version comes from the executable, which PyInstaller stamped from app.__version__;
; iscc /DAppVersion=1.2.3 overrides it.
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(AddBackslash(SourcePath) + DistDir + "\" + AppExeName, "ProductVersion")
#endif
#define AppFileVersion GetVersionNumbersString(AddBackslash(SourcePath) + DistDir + "\" + AppExeName)

[Setup]
; Never change AppId: it is how a newer Setup finds and upgrades the installed program.
AppId={{F8BA8FE0-254C-4F9E-8FD4-5F1416285E02}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppFileVersion}
VersionInfoProductName={#AppName}
VersionInfoCompany={#AppPublisher}
VersionInfoDescription=Cài đặt {#AppName}
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppDirName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
CloseApplications=yes
RestartApplications=no
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExeName}
OutputDir=..\dist\installer
OutputBaseFilename=SoKhuyenHoc-{#AppVersion}-Setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
#if FileExists(AddBackslash(SourcePath) + "..\resources\icons\app.ico")
SetupIconFile=..\resources\icons\app.ico
#endif

[Languages]
; Inno Setup ships a Vietnamese translation in recent versions; our file on top of it (or of
; the English defaults) words the pages for a commune secretary and adds our own messages.
#if FileExists(AddBackslash(CompilerPath) + "Languages\Vietnamese.isl")
Name: "vi"; MessagesFile: "compiler:Default.isl,compiler:Languages\Vietnamese.isl,installer-vi.isl"
#else
Name: "vi"; MessagesFile: "compiler:Default.isl,installer-vi.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole bundled runtime, so no file of the old version lingers.
; (Only the program folder: the data folder is elsewhere and never touched.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\{#AppExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\{#CliExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "{cm:AppComment}"
Name: "{autoprograms}\{cm:OpenDataFolder}"; Filename: "{localappdata}\{#DataDirName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Dirs]
; Created empty so the Start-menu shortcut to it works before the first start; never removed.
Name: "{localappdata}\{#DataDirName}"; Flags: uninsneveruninstall

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Whatever the program may have left beside itself — only inside the program folder.
Type: filesandordirs; Name: "{app}\_internal"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\{#DataDirName}');
    if DirExists(DataDir) and not UninstallSilent() then
      MsgBox(FmtMessage(CustomMessage('DataKept'), [DataDir]), mbInformation, MB_OK);
  end;
end;
