package arcgis

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// apiError is one entry of the ArcGIS error catalogue. ArcGIS carries the
// code in the body and answers HTTP 200.
type apiError struct {
	code    int
	message string
	details []string // nil renders as null, empty as []
}

func (e *apiError) Error() string { return strconv.Itoa(e.code) + " " + e.message }

// body is ArcGIS's {"error":{"code","message","details"}} for e, written without reflection since
// every error answer pays for it (FuzzErrorBody holds the two together).
func (e *apiError) body() []byte {
	n := 64 + len(e.message)
	for _, d := range e.details {
		n += len(d) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, `{"error":{"code":`...)
	b = strconv.AppendInt(b, int64(e.code), 10)
	b = append(b, `,"message":`...)
	b = kit.AppendJSONString(b, e.message)
	b = append(b, `,"details":`...)
	if e.details == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, d := range e.details {
			if i > 0 {
				b = append(b, ',')
			}
			b = kit.AppendJSONString(b, d)
		}
		b = append(b, ']')
	}
	return append(b, "}}"...)
}

// The catalogue, from the vendor's documentation and ArcGIS REST conventions.
var (
	errTokenRequired     = &apiError{499, "Token Required", []string{}}
	errInvalidToken      = &apiError{498, "Invalid token.", []string{}}
	errNotAdministrator  = &apiError{403, "You do not have permissions to access this resource or perform this operation.", []string{}}
	errRunningContainers = &apiError{500, "Failed to delete user workspace. The user has actively running containers.", nil}
	errBadCredentials    = &apiError{400, "Unable to generate token.", []string{"Invalid username or password."}}
	errInternal          = &apiError{500, "Internal server error.", nil}
	errUserNotFound      = &apiError{400, "User not found.", []string{}}
	errNoLogin           = &apiError{400, "Unable to generate token.", []string{"'username' must be specified.", "'password' must be specified."}}
)

func noWorkspace(user string) *apiError {
	return &apiError{404, "Failed to delete user workspace. The workspace for user '" + user + "' does not exist.", nil}
}

func noWorkspaceToTransfer(user string) *apiError {
	return &apiError{404, "Failed to transfer user workspace. The workspace for user '" + user + "' does not exist.", nil}
}

// errTransferRunningContainers is the 11.4 transfer page's Example 2.
var errTransferRunningContainers = &apiError{500, "Failed to transfer user workspace. The user has actively running containers.", nil}

func missingParameter(name string) *apiError {
	return &apiError{400, "Unable to complete operation.", []string{"Invalid or missing value for parameter '" + name + "'."}}
}

func noContainer(id string) *apiError {
	return &apiError{404, "Container '" + id + "' does not exist.", nil}
}

// Error implements kit.Vendor.
func (Vendor) Error(r *kit.Request, err error) kit.Response {
	ae := kit.Classify(err, func(ke *kit.Error) *apiError { return fromKit(r, ke) }, errInternal)
	return ae.render(r)
}

// render answers the error in the format asked for, HTTP 200 as ArcGIS
// does, its code naming it.
func (ae *apiError) render(r *kit.Request) kit.Response {
	var resp kit.Response
	switch format(r) {
	case "pjson":
		body := ae.body()
		if pretty, err := kit.JacksonPretty(body); err == nil {
			body = pretty
		}
		resp = kit.Raw(http.StatusOK, contentJSON, body)
	case "html":
		resp = kit.Raw(http.StatusOK, kit.ContentHTML, htmlPage(r.Operation, nil, ae))
	default:
		resp = kit.Raw(http.StatusOK, contentJSON, ae.body())
	}
	return resp.Refused(strconv.Itoa(ae.code), ae.message)
}

func fromKit(r *kit.Request, e *kit.Error) *apiError {
	switch e.Kind {
	case kit.NoRoute:
		return &apiError{404, "Could not find resource or operation '" + lastSegment(r.Path) + "' on the system.", nil}
	case kit.MethodNotAllowed:
		return &apiError{405, "Method " + r.Method + " not supported by this operation.", nil}
	case kit.BadRequest:
		detail := "Invalid request."
		if e.Param != "" {
			detail = "Invalid or missing value for parameter '" + e.Param + "'."
		}
		return &apiError{400, "Unable to complete operation.", []string{detail}}
	case kit.TooLarge:
		return &apiError{413, "Request entity too large.", nil}
	case kit.Fault:
		return byStatus(r, e.Status)
	}
	return errInternal
}

// byStatus is the documented error for a code, what an injected fault answers.
func byStatus(r *kit.Request, code int) *apiError {
	switch code {
	case 498:
		return errInvalidToken
	case 499:
		return errTokenRequired
	case 403:
		return errNotAdministrator
	case 500:
		if r.Operation == "deleteUserWorkspace" {
			return errRunningContainers
		}
		return errInternal
	}
	return &apiError{code, http.StatusText(code), nil}
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

func title(operation string) string {
	switch operation {
	case "deleteUserWorkspace":
		return "Delete User Workspace"
	case "listUserWorkspaces":
		return "List User Workspaces"
	case "listContainers":
		return "Containers"
	case "getContainer":
		return "Container"
	case "transferUserWorkspace":
		return "Transfer User Workspace"
	case "generateAdminToken":
		return "Generate Token"
	case "terminateContainer":
		return "Terminate Container"
	case "generateToken":
		return "Generate Token"
	}
	return "Error"
}

// htmlPage is the small admin-directory page that f=html answers: either a
// result (as pretty JSON) or an error.
func htmlPage(operation string, result []byte, e *apiError) []byte {
	title := title(operation)
	var b strings.Builder
	b.WriteString("<html lang=\"en\">\n<head>\n<title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString(" (ArcGIS Notebook Server Administrator Directory)</title>\n</head>\n<body>\n<h2>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</h2>\n")
	if e != nil {
		fmt.Fprintf(&b, "<div class=\"error\"><b>Error: </b>%s<br/><b>Code: </b>%d</div>\n", html.EscapeString(e.message), e.code)
		for _, d := range e.details {
			fmt.Fprintf(&b, "<div class=\"details\">%s</div>\n", html.EscapeString(d))
		}
	} else {
		pretty, err := kit.JacksonPretty(result)
		if err != nil {
			pretty = result
		}
		b.WriteString("<pre>")
		b.WriteString(html.EscapeString(string(pretty)))
		b.WriteString("</pre>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return []byte(b.String())
}
