; The Windows installer of Bitbucket Setup Assistant, built with Debian's makensis
; (scripts/package-windows.sh). Per user, no administrator: the app goes to
; %LOCALAPPDATA%\Programs\Bitbucket Setup Assistant, a Start-menu entry is made, and an
; uninstaller is registered in "Apps". WebView2, which the window needs, is installed the way
; Tauri does it by default: when it is missing, Microsoft's small bootstrapper is downloaded and
; run silently (Windows 11 and current Windows 10 already have it).
;
; Defines given by the build script: VERSION, EXE (the built bitbucket-setup.exe, the command line),
; WINDOW (the built bitbucket-setup-window.exe, the wizard it starts), ICON, OUTFILE,
; LOADER (WebView2Loader.dll, which a build for the GNU toolchain loads at start, so it must be
; beside the exe; an MSVC build links it in and has none), and FAST (zlib instead of solid LZMA:
; the test's installer of a debug build).
;
; Uninstalling removes the daily reminder task, if the user turned the reminders on, and keeps
; the user's saved connections (the list in %APPDATA% and the tokens in
; Credential Manager) unless the user ticks "Saved connections and their tokens" on the
; uninstaller's components page, or gives /REMOVECONNECTIONS to a silent uninstall (/S).

Unicode true
; 64-bit, like the app it installs (and so Wine64 runs it in the tests).
Target amd64-unicode
!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!define PRODUCT "Bitbucket Setup Assistant"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\BitbucketSetupAssistant"
!define WEBVIEW2_KEY "SOFTWARE\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_BOOTSTRAPPER "https://go.microsoft.com/fwlink/p/?LinkId=2124703"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel user
!ifdef FAST
SetCompressor zlib
!else
SetCompressor /SOLID lzma
!endif

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\bitbucket-setup-window.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!define MUI_COMPONENTSPAGE_TEXT_TOP "Bitbucket Setup Assistant will be removed. Your saved connections stay (for a later install) unless you tick them below."
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "LegalCopyright" "Bitbucket Setup Assistant team"

Section "WebView2"
  ReadRegStr $0 HKCU "${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
    ReadRegStr $0 HKLM "${WEBVIEW2_KEY}" "pv"
  ${EndIf}
  ${If} $0 == ""
    DetailPrint "Installing Microsoft Edge WebView2, which the window needs…"
    nsExec::ExecToLog 'powershell -NoProfile -ExecutionPolicy Bypass -Command "Invoke-WebRequest -UseBasicParsing -Uri ''${WEBVIEW2_BOOTSTRAPPER}'' -OutFile ''$TEMP\MicrosoftEdgeWebview2Setup.exe''"'
    ExecWait '"$TEMP\MicrosoftEdgeWebview2Setup.exe" /silent /install'
    Delete "$TEMP\MicrosoftEdgeWebview2Setup.exe"
  ${EndIf}
SectionEnd

Section "Bitbucket Setup Assistant"
  SetOutPath "$INSTDIR"
  File "/oname=bitbucket-setup.exe" "${EXE}"
  File "/oname=bitbucket-setup-window.exe" "${WINDOW}"
  File "/oname=bitbucket-setup.ico" "${ICON}"
!ifdef LOADER
  File "/oname=WebView2Loader.dll" "${LOADER}"
!endif
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\bitbucket-setup-window.exe" "" "$INSTDIR\bitbucket-setup.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Bitbucket Setup Assistant team"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\bitbucket-setup.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

;; Only when asked: every saved connection's token leaves Credential Manager (through the app
; itself, which knows their names), then the settings folder goes. If the app cannot remove
; them, the folder is kept so nothing is lost half-way.
Section /o "un.Saved connections and their tokens" SecConnections
  DetailPrint "Removing saved connections and their tokens from Credential Manager..."
  nsExec::ExecToLog '"$INSTDIR\bitbucket-setup.exe" remove --all'
  Pop $0
  ${If} $0 == 0
    RMDir /r "$APPDATA\bitbucket-setup-assistant"
  ${Else}
    DetailPrint "Saved connections could not all be removed ($0); they were kept in $APPDATA\bitbucket-setup-assistant."
    SetErrorLevel 2
  ${EndIf}
SectionEnd

; The program itself, always. First its daily reminder task (`reminders on`), which would
; otherwise start a program that is gone every day: removed by the app itself, silently, and
; whatever it says (there may be no task) the uninstall goes on.
Section "-un.Program"
  nsExec::Exec '"$INSTDIR\bitbucket-setup.exe" reminders off'
  Pop $0
  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  Delete "$INSTDIR\bitbucket-setup.exe"
  Delete "$INSTDIR\bitbucket-setup-window.exe"
  Delete "$INSTDIR\bitbucket-setup.ico"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

Function un.onInit
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVECONNECTIONS" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecConnections} ${SF_SELECTED}
  ${EndIf}
FunctionEnd
