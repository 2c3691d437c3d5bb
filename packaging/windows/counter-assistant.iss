; Inno Setup 6 script for Counter Assistant (窗口服务助手). Build: see README.md here.
;   iscc /DAppVersion=0.1.0 packaging\windows\counter-assistant.iss
; Silent deployment: one center-wide drop-in for every PC, one small file per counter
; (never prompts, keeps user data; exit code 10 = installed, but check-config found problems):
;   counter-assistant-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;       /CENTER="\\share\counters\center.toml" /COUNTER="\\share\counters\PJ-03.toml"
; This file is UTF-8 with a BOM (Inno Setup needs the BOM for the Chinese names).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "窗口服务助手"
#define AppExe "counter-assistant.exe"
#define CliExe "counter-assistant-cli.exe"
#define BundleDir "..\..\dist\counter-assistant"
#define ExampleConfig "..\..\resources\config.example.toml"
#define DataDir "{commonappdata}\CounterAssistant"
#define DropIns "{commonappdata}\CounterAssistant\config.d"
; Setup's own exit codes are 0-8; this one says: installed, but the config has problems.
#define ConfigProblemsExitCode 10

[Setup]
AppId={{5B7E2C1A-6F3D-4E8B-9A2C-3D1F0E7B4C65}
AppName={#AppName} Counter Assistant
AppVersion={#AppVersion}
AppPublisher=Counter Assistant
; The installer's own version resource (the .exe files carry theirs from build.spec).
VersionInfoVersion={#AppVersion}
VersionInfoProductVersion={#AppVersion}
VersionInfoProductName=Counter Assistant
VersionInfoDescription={#AppName} Counter Assistant setup
VersionInfoCompany=Counter Assistant
DefaultDirName={autopf}\CounterAssistant
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=counter-assistant-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} Counter Assistant
; A running window is closed through the Restart Manager before its files are replaced
; (it writes every record on the way out) and started again afterwards in the clerk's
; session: the app registers itself with RegisterApplicationRestart at start.
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=yes
SetupLogging=yes
; Signing (optional): define a sign tool named "signtool" in the Inno IDE or pass
;   iscc /Ssigntool="signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f" /DSign=1 ...
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "autostart"; Description: "Start {#AppName} at login (all users)"; GroupDescription: "Start:"

[Files]
; The one-folder PyInstaller bundle (counter-assistant.exe, counter-assistant-cli.exe, _internal\).
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; No example value is ever in force: the example is only documentation beside the program.
; /CONFIG=file becomes the machine-wide config.toml (the previous one kept as .bak);
; /CENTER=file and /COUNTER=file become the drop-ins config.d\10-center.toml and
; config.d\20-counter.toml (read after config.toml, the later winning). Never uninstalled.
Source: "{code:ParamFile|CONFIG}"; DestDir: "{#DataDir}"; DestName: "config.toml"; Flags: external ignoreversion uninsneveruninstall; Check: HasParam('CONFIG')
Source: "{code:ParamFile|CENTER}"; DestDir: "{#DropIns}"; DestName: "10-center.toml"; Flags: external ignoreversion uninsneveruninstall; Check: HasParam('CENTER')
Source: "{code:ParamFile|COUNTER}"; DestDir: "{#DropIns}"; DestName: "20-counter.toml"; Flags: external ignoreversion uninsneveruninstall; Check: HasParam('COUNTER')
Source: "{#ExampleConfig}"; DestDir: "{app}"; DestName: "config.example.toml"; Flags: ignoreversion

[Dirs]
Name: "{#DataDir}"; Flags: uninsneveruninstall
Name: "{#DropIns}"; Flags: uninsneveruninstall

[Icons]
Name: "{autoprograms}\{#AppName}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName}\{#AppName} 统计报表"; Filename: "{app}\{#AppExe}"; Parameters: "supervisor"
; Must stay named like STARTUP_LINK in counter_assistant/platform/autostart.py.
Name: "{commonstartup}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: autostart

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

[Code]
var
  ConfigProblems: Boolean;

function HasParam(Name: String): Boolean;
begin
  Result := ExpandConstant('{param:' + Name + '|}') <> '';
end;

function ParamFile(Name: String): String;
begin
  Result := ExpandFileName(ExpandConstant('{param:' + Name + '|}'));
end;

function InitializeSetup: Boolean;
var
  Name: String;
  I: Integer;
begin
  Result := True;
  for I := 0 to 2 do
  begin
    case I of
      0: Name := 'CONFIG';
      1: Name := 'CENTER';
      2: Name := 'COUNTER';
    end;
    if HasParam(Name) and not FileExists(ParamFile(Name)) then
    begin
      Log('/' + Name + '= file not found: ' + ParamFile(Name));
      SuppressibleMsgBox('Config file not found: ' + ParamFile(Name), mbCriticalError, MB_OK, IDOK);
      Result := False;  { setup exits with a non-zero code and installs nothing }
      exit;
    end;
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Target: String;
  Code: Integer;
begin
  Target := ExpandConstant('{#DataDir}\config.toml');
  if (CurStep = ssInstall) and HasParam('CONFIG') and FileExists(Target) then
  begin
    FileCopy(Target, Target + '.bak', False);
    Log('previous config kept as ' + Target + '.bak');
  end;
  if CurStep = ssPostInstall then
  begin
    { check-config reads config.toml and config.d\*.toml as the app will, names every
      problem (file, line, key) and exits 1 for problems, 0 when fine or only not yet
      configured. Its output goes into the setup log (/LOG=file). }
    if ExecAndLogOutput(ExpandConstant('{app}\{#CliExe}'), 'check-config --data-dir "' +
        ExpandConstant('{tmp}\check') + '"', '', SW_SHOWNORMAL, ewWaitUntilTerminated,
        Code, nil) then
    begin
      Log('check-config exit code ' + IntToStr(Code));
      if Code <> 0 then
      begin
        ConfigProblems := True;
        SuppressibleMsgBox('The config in ' + ExpandConstant('{#DataDir}') + ' has problems; run "' +
          ExpandConstant('{app}\{#CliExe}') + ' check-config" for details.',
          mbError, MB_OK, IDOK);
      end;
    end
    else
    begin
      ConfigProblems := True;
      Log('check-config could not run: ' + SysErrorMessage(Code));
    end;
  end;
end;

{ Called only when setup completed and would exit 0: a config that fails check-config
  makes a silent rollout fail visibly (exit code 10) although the program is installed. }
function GetCustomSetupExitCode: Integer;
begin
  if ConfigProblems then
    Result := {#ConfigProblemsExitCode}
  else
    Result := 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  { the uninstalling user's own "autostart on"; other users' values and all user data stay }
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run',
                   'CounterAssistant');
end;
