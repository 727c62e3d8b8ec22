; Inno Setup script: a per-user installer for the one-folder Windows build.
;
;   iscc packaging\windows\coventry-directory.iss
;
; Run from the repository root after `python packaging\build.py` has made
; dist\coventry-directory\. The version is read from the built executable's version
; resource, which the PyInstaller spec writes from coventry_directory.__version__ (the one
; place it is set); /DAppVersion=X overrides it, as the Windows workflow does. Installs
; into the user's own Programs folder (%LOCALAPPDATA%\Programs\Coventry Directory), adds
; Start-menu entries for this user only and writes nothing machine-wide: no admin rights,
; no UAC prompt. Untested here (no Windows runner yet): see docs/packaging.md.

#define AppName "Coventry Directory"
#define SourceDir "..\..\dist\coventry-directory"
#ifndef AppVersion
  #define AppExe AddBackslash(SourcePath) + SourceDir + "\coventry-directory.exe"
  #if !FileExists(AppExe)
    #error Build the app first (python packaging\build.py): its executable carries the version
  #endif
  #define AppVersion GetStringFileInfo(AppExe, "ProductVersion")
#endif

[Setup]
; A fixed id: upgrades replace the previous install instead of adding a second one.
AppId={{7E1B0B52-6C3A-4E57-9A5D-3C2F0D1B8C41}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Coventry Directory
; Per-user install: never needs admin. {autopf} is the user's own Programs folder here.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
OutputDir=..\..\dist
OutputBaseFilename=coventry-directory-{#AppVersion}-windows-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\Coventry Directory.exe
; The app keeps user data in the user's profile (or in .\data when portable.txt is
; present); the uninstaller leaves the profile data alone.

[Files]
; Everything PyInstaller built; portable.txt is deliberately not shipped by the installer.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs; Excludes: "portable.txt,data\*"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\Coventry Directory.exe"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\coventry-directory.exe"" self-test"

[Run]
Filename: "{app}\Coventry Directory.exe"; Description: "Open {#AppName} now"; Flags: nowait postinstall skipifsilent
